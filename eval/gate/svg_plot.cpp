#include "gate/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace evalq {

namespace {

constexpr double kWidth = 640, kHeight = 320;
constexpr double kLeft = 64, kRight = 56, kTop = 32, kBottom = 48;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

SvgPlot::SvgPlot(std::string title, double x_lo, double x_hi, bool log_x, double y_lo, double y_hi)
    : title_(std::move(title)), x_lo_(x_lo), x_hi_(x_hi), y_lo_(y_lo), y_hi_(y_hi), log_x_(log_x) {
  if (!(x_hi_ > x_lo_)) x_hi_ = x_lo_ + (log_x_ ? x_lo_ : 1.0);
  if (!(y_hi_ > y_lo_)) y_hi_ = y_lo_ + 1.0;
}

void SvgPlot::right_axis(double lo, double hi, const std::string& label,
                         const std::vector<std::pair<double, std::string>>& ticks) {
  has_right_ = true;
  r_lo_ = lo;
  r_hi_ = hi;
  right_label_ = label;
  r_ticks_ = ticks;
}

double SvgPlot::px(double x) const {
  double f = log_x_ ? (std::log10(x) - std::log10(x_lo_)) / (std::log10(x_hi_) - std::log10(x_lo_))
                    : (x - x_lo_) / (x_hi_ - x_lo_);
  f = std::clamp(f, 0.0, 1.0);
  return kLeft + f * (kWidth - kLeft - kRight);
}

double SvgPlot::py(double y) const {
  const double f = std::clamp((y - y_lo_) / (y_hi_ - y_lo_), 0.0, 1.0);
  return kHeight - kBottom - f * (kHeight - kTop - kBottom);
}

double SvgPlot::py_right(double y) const {
  const double f = std::clamp((y - r_lo_) / (r_hi_ - r_lo_), 0.0, 1.0);
  return kHeight - kBottom - f * (kHeight - kTop - kBottom);
}

void SvgPlot::bar(double x0, double x1, double y, const std::string& color) {
  const double left = px(x0), right = px(x1), top = py(y), base = py(y_lo_);
  body_ += "<rect x=\"" + num(left) + "\" y=\"" + num(top) + "\" width=\"" + num(std::max(0.0, right - left - 0.5)) +
           "\" height=\"" + num(base - top) + "\" fill=\"" + color + "\"/>\n";
}

void SvgPlot::polyline(const std::vector<std::pair<double, double>>& pts, const std::string& color, bool right) {
  std::string coords;
  for (const auto& [x, y] : pts) {
    if (!coords.empty()) coords += ' ';
    coords += num(px(x));
    coords += ',';
    coords += num(right ? py_right(y) : py(y));
  }
  body_ += "<polyline points=\"" + coords + "\" fill=\"none\" stroke=\"" + color + "\" stroke-width=\"1.5\"/>\n";
}

void SvgPlot::points(const std::vector<std::pair<double, double>>& pts, const std::string& color) {
  for (const auto& [x, y] : pts) {
    body_ += "<circle cx=\"" + num(px(x)) + "\" cy=\"" + num(py(y)) + "\" r=\"2.5\" fill=\"" + color + "\"/>\n";
  }
}

void SvgPlot::vertical_mark(double x, const std::string& label, const std::string& color) {
  const double X = px(x);
  body_ += "<line x1=\"" + num(X) + "\" y1=\"" + num(kTop) + "\" x2=\"" + num(X) + "\" y2=\"" + num(kHeight - kBottom) +
           "\" stroke=\"" + color + "\" stroke-dasharray=\"4 3\"/>\n";
  body_ += "<text x=\"" + num(X + 3) + "\" y=\"" + num(kTop + 10) + "\" font-size=\"10\" fill=\"" + color +
           "\" transform=\"rotate(90 " + num(X + 3) + " " + num(kTop + 10) + ")\">" + xml_escape(label) + "</text>\n";
}

void SvgPlot::horizontal_mark(double y, const std::string& label, const std::string& color) {
  const double Y = py(y);
  body_ += "<line x1=\"" + num(kLeft) + "\" y1=\"" + num(Y) + "\" x2=\"" + num(kWidth - kRight) + "\" y2=\"" + num(Y) +
           "\" stroke=\"" + color + "\" stroke-dasharray=\"4 3\"/>\n";
  body_ += "<text x=\"" + num(kWidth - kRight - 4) + "\" y=\"" + num(Y - 3) + "\" font-size=\"10\" text-anchor=\"end\" fill=\"" +
           color + "\">" + xml_escape(label) + "</text>\n";
}

std::string SvgPlot::render() const {
  const double x0 = kLeft, x1 = kWidth - kRight, y0 = kHeight - kBottom, y1 = kTop;
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(kWidth) + "\" height=\"" + num(kHeight) +
                  "\" viewBox=\"0 0 " + num(kWidth) + " " + num(kHeight) + "\" font-family=\"sans-serif\">\n";
  s += "<title>" + xml_escape(title_) + "</title>\n";
  s += "<rect x=\"0\" y=\"0\" width=\"" + num(kWidth) + "\" height=\"" + num(kHeight) + "\" fill=\"white\"/>\n";
  s += "<text x=\"" + num(kWidth / 2) + "\" y=\"18\" font-size=\"13\" text-anchor=\"middle\">" + xml_escape(title_) + "</text>\n";
  s += body_;
  s += "<path d=\"M" + num(x0) + " " + num(y1) + " V" + num(y0) + " H" + num(x1) + (has_right_ ? " V" + num(y1) : "") +
       "\" fill=\"none\" stroke=\"black\"/>\n";
  for (const auto& [x, label] : x_ticks_) {
    const double X = px(x);
    s += "<line x1=\"" + num(X) + "\" y1=\"" + num(y0) + "\" x2=\"" + num(X) + "\" y2=\"" + num(y0 + 4) + "\" stroke=\"black\"/>\n";
    s += "<text x=\"" + num(X) + "\" y=\"" + num(y0 + 16) + "\" font-size=\"10\" text-anchor=\"middle\">" + xml_escape(label) + "</text>\n";
  }
  for (const auto& [y, label] : y_ticks_) {
    const double Y = py(y);
    s += "<line x1=\"" + num(x0 - 4) + "\" y1=\"" + num(Y) + "\" x2=\"" + num(x0) + "\" y2=\"" + num(Y) + "\" stroke=\"black\"/>\n";
    s += "<text x=\"" + num(x0 - 6) + "\" y=\"" + num(Y + 3) + "\" font-size=\"10\" text-anchor=\"end\">" + xml_escape(label) + "</text>\n";
  }
  for (const auto& [y, label] : r_ticks_) {
    const double Y = py_right(y);
    s += "<line x1=\"" + num(x1) + "\" y1=\"" + num(Y) + "\" x2=\"" + num(x1 + 4) + "\" y2=\"" + num(Y) + "\" stroke=\"black\"/>\n";
    s += "<text x=\"" + num(x1 + 6) + "\" y=\"" + num(Y + 3) + "\" font-size=\"10\">" + xml_escape(label) + "</text>\n";
  }
  s += "<text x=\"" + num((x0 + x1) / 2) + "\" y=\"" + num(kHeight - 8) + "\" font-size=\"11\" text-anchor=\"middle\">" +
       xml_escape(x_label_) + "</text>\n";
  s += "<text x=\"14\" y=\"" + num((y0 + y1) / 2) + "\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(-90 14 " +
       num((y0 + y1) / 2) + ")\">" + xml_escape(y_label_) + "</text>\n";
  if (has_right_) {
    s += "<text x=\"" + num(kWidth - 10) + "\" y=\"" + num((y0 + y1) / 2) + "\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(90 " +
         num(kWidth - 10) + " " + num((y0 + y1) / 2) + ")\">" + xml_escape(right_label_) + "</text>\n";
  }
  s += "</svg>\n";
  return s;
}

}  // namespace evalq

#pragma once

// Small deterministic SVG charts for the gate report: a frame with axes and ticks, into which
// bars, lines and marks are drawn in data coordinates. No external assets, no scripts.
#include <string>
#include <utility>
#include <vector>

namespace evalq {

class SvgPlot {
 public:
  // x may be log10-scaled; both ranges are in data units.
  SvgPlot(std::string title, double x_lo, double x_hi, bool log_x, double y_lo, double y_hi);

  void x_label(const std::string& text) { x_label_ = text; }
  void y_label(const std::string& text) { y_label_ = text; }
  void x_ticks(const std::vector<std::pair<double, std::string>>& ticks) { x_ticks_ = ticks; }
  void y_ticks(const std::vector<std::pair<double, std::string>>& ticks) { y_ticks_ = ticks; }
  // A second y axis on the right (e.g. a CDF from 0 to 1 over a histogram).
  void right_axis(double lo, double hi, const std::string& label, const std::vector<std::pair<double, std::string>>& ticks);

  void bar(double x0, double x1, double y, const std::string& color);
  void polyline(const std::vector<std::pair<double, double>>& points, const std::string& color, bool right_axis = false);
  void points(const std::vector<std::pair<double, double>>& points, const std::string& color);
  void vertical_mark(double x, const std::string& label, const std::string& color);
  void horizontal_mark(double y, const std::string& label, const std::string& color);

  std::string render() const;

 private:
  double px(double x) const;
  double py(double y) const;
  double py_right(double y) const;

  std::string title_, x_label_, y_label_, right_label_;
  double x_lo_, x_hi_, y_lo_, y_hi_, r_lo_ = 0, r_hi_ = 1;
  bool log_x_, has_right_ = false;
  std::vector<std::pair<double, std::string>> x_ticks_, y_ticks_, r_ticks_;
  std::string body_;
};

// XML-escapes text for element content and attribute values.
std::string xml_escape(const std::string& text);

}  // namespace evalq

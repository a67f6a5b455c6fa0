#include "io/npy.h"

#include <evalq/error.h>

#include <cstring>
#include <fstream>
#include <sstream>

namespace evalq {
namespace {

struct NpyType {
  const char* descr;
  DType dtype;
};

constexpr NpyType kTypes[] = {
    {"<f4", DType::Float32}, {"<f8", DType::Float64}, {"<f2", DType::Float16}, {"<i8", DType::Int64},
    {"<i4", DType::Int32},   {"<i2", DType::Int16},   {"|i1", DType::Int8},    {"|u1", DType::UInt8},
    {"<u2", DType::UInt16},  {"<u4", DType::UInt32},  {"<u8", DType::UInt64},  {"|b1", DType::Bool},
};

std::string extract(const std::string& header, const std::string& key, const std::filesystem::path& path) {
  auto k = header.find("'" + key + "'");
  if (k == std::string::npos) throw Error(path.string() + ": .npy header has no '" + key + "'");
  auto colon = header.find(':', k);
  return header.substr(colon + 1);
}

}  // namespace

Tensor read_npy(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open " + path.string());
  char magic[8];
  in.read(magic, 8);
  if (!in || std::memcmp(magic, "\x93NUMPY", 6) != 0) throw Error(path.string() + " is not a .npy file");
  uint32_t header_len = 0;
  if (magic[6] == 1) {
    uint16_t len16 = 0;
    in.read(reinterpret_cast<char*>(&len16), 2);
    header_len = len16;
  } else {
    in.read(reinterpret_cast<char*>(&header_len), 4);
  }
  std::string header(header_len, '\0');
  in.read(header.data(), header_len);
  if (!in) throw Error(path.string() + ": truncated .npy header");

  std::string descr_part = extract(header, "descr", path);
  auto q1 = descr_part.find('\'');
  auto q2 = descr_part.find('\'', q1 + 1);
  std::string descr = descr_part.substr(q1 + 1, q2 - q1 - 1);
  if (descr == "<b1" || descr == "|b1") descr = "|b1";
  if (descr == "<i1") descr = "|i1";
  if (descr == "<u1") descr = "|u1";
  DType dtype = DType::Undefined;
  for (const auto& t : kTypes) {
    if (descr == t.descr) dtype = t.dtype;
  }
  if (dtype == DType::Undefined) throw Error(path.string() + ": unsupported .npy dtype '" + descr + "'");
  if (extract(header, "fortran_order", path).substr(0, 8).find("True") != std::string::npos) {
    throw Error(path.string() + ": Fortran-ordered .npy files are not supported");
  }
  std::string shape_part = extract(header, "shape", path);
  auto open = shape_part.find('(');
  auto close = shape_part.find(')');
  std::stringstream ss(shape_part.substr(open + 1, close - open - 1));
  Shape shape;
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.find_first_not_of(" \t") == std::string::npos) continue;
    shape.push_back(std::stoll(item));
  }
  Tensor t = Tensor::empty(dtype, shape);
  in.read(static_cast<char*>(t.mutable_raw()), static_cast<std::streamsize>(t.nbytes()));
  if (!in && t.nbytes() > 0) throw Error(path.string() + ": truncated .npy data");
  return t;
}

void write_npy(const std::filesystem::path& path, const Tensor& tensor) {
  const char* descr = nullptr;
  for (const auto& t : kTypes) {
    if (t.dtype == tensor.dtype()) descr = t.descr;
  }
  if (!descr) throw Error("cannot write a " + dtype_name(tensor.dtype()) + " tensor as .npy");
  std::string shape = "(";
  for (size_t i = 0; i < tensor.rank(); ++i) shape += std::to_string(tensor.shape()[i]) + (tensor.rank() == 1 ? "," : (i + 1 < tensor.rank() ? ", " : ""));
  shape += ")";
  std::string header = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  if (!out) throw Error("cannot write " + path.string());
  out.write("\x93NUMPY\x01\x00", 8);
  uint16_t len = static_cast<uint16_t>(header.size());
  out.write(reinterpret_cast<const char*>(&len), 2);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(static_cast<const char*>(tensor.raw()), static_cast<std::streamsize>(tensor.nbytes()));
  if (!out) throw Error("failed writing " + path.string());
}

}  // namespace evalq

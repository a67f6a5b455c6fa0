#include "io/onnx_loader.h"

#include <evalq/error.h>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <onnx/onnx_pb.h>

#include <climits>
#include <cstring>
#include <map>

#include "io/mapped_file.h"

namespace evalq {
namespace {

namespace fs = std::filesystem;

class OnnxReader {
 public:
  OnnxReader(fs::path model_path, std::shared_ptr<const onnx::ModelProto> proto)
      : model_path_(std::move(model_path)), proto_(std::move(proto)) {}

  OnnxModel read() {
    OnnxModel model;
    model.path = model_path_.string();
    model.ir_version = proto_->ir_version();
    model.producer_name = proto_->producer_name();
    model.producer_version = proto_->producer_version();
    for (const auto& op : proto_->opset_import()) {
      model.opsets[normalize_domain(op.domain())] = static_cast<int>(op.version());
    }
    if (!model.opsets.count("")) model.opsets[""] = 1;
    opsets_ = &model.opsets;
    if (!proto_->has_graph()) throw Error(model_path_.string() + ": the model has no graph");
    model.graph = read_graph(proto_->graph(), /*is_subgraph=*/false);
    return model;
  }

 private:
  std::string where() const { return model_path_.string(); }

  std::shared_ptr<Graph> read_graph(const onnx::GraphProto& gp, bool is_subgraph) {
    auto graph = std::make_shared<Graph>();
    graph->name = gp.name();

    for (const auto& init : gp.initializer()) {
      int id = graph->value_id(init.name());
      graph->values[id].constant = read_tensor(init, "initializer '" + init.name() + "'");
      graph->values[id].dtype = graph->values[id].constant.dtype();
    }
    for (const auto& vi : gp.input()) {
      int id = graph->value_id(vi.name());
      read_value_info(vi, graph->values[id]);
      // Old IR versions list initializers among the inputs; those are not fed by the caller.
      if (!graph->values[id].constant.defined()) graph->inputs.push_back(id);
    }
    for (const auto& vi : gp.value_info()) read_value_info(vi, graph->values[graph->value_id(vi.name())]);
    for (const auto& vi : gp.output()) {
      int id = graph->value_id(vi.name());
      read_value_info(vi, graph->values[id]);
      graph->outputs.push_back(id);
    }

    std::vector<bool> defined(graph->values.size(), false);
    auto mark_defined = [&](int id) {
      if (static_cast<size_t>(id) >= defined.size()) defined.resize(id + 1, false);
      defined[id] = true;
    };
    for (size_t id = 0; id < graph->values.size(); ++id) {
      if (graph->values[id].constant.defined()) defined[id] = true;
    }
    for (int id : graph->inputs) mark_defined(id);

    for (const auto& np : gp.node()) {
      if (np.op_type() == "Constant" && normalize_domain(np.domain()).empty()) {
        read_constant_node(np, *graph);
        mark_defined(graph->value_id(np.output(0)));
        continue;
      }
      Node node;
      node.name = np.name();
      node.domain = normalize_domain(np.domain());
      node.op_type = np.op_type();
      auto op = opsets_->find(node.domain);
      node.opset = op == opsets_->end() ? 1 : op->second;
      for (const auto& attr : np.attribute()) {
        node.attributes[attr.name()] = read_attribute(attr, node);
      }
      for (const auto& in : np.input()) {
        if (in.empty()) {
          node.inputs.push_back(-1);
          continue;
        }
        int id = graph->value_id(in);
        node.inputs.push_back(id);
        if (static_cast<size_t>(id) >= defined.size() || !defined[id]) {
          if (!is_subgraph) {
            throw Error(where() + ": input '" + in + "' of node " + node.describe() +
                        " is not a graph input, an initializer or the output of an earlier node "
                        "(the file may be truncated or its nodes out of order)");
          }
          graph->outer_refs.push_back(id);
          mark_defined(id);
        }
      }
      for (const auto& out : np.output()) {
        if (out.empty()) {
          node.outputs.push_back(-1);
          continue;
        }
        int id = graph->value_id(out);
        node.outputs.push_back(id);
        mark_defined(id);
      }
      graph->nodes.push_back(std::move(node));
    }
    for (int id : graph->outputs) {
      if (static_cast<size_t>(id) >= defined.size() || !defined[id]) {
        if (!is_subgraph) {
          throw Error(where() + ": graph output '" + graph->values[id].name + "' is produced by no node");
        }
        graph->outer_refs.push_back(id);
      }
    }
    return graph;
  }

  void read_value_info(const onnx::ValueInfoProto& vi, Value& value) {
    if (!vi.has_type() || !vi.type().has_tensor_type()) return;
    const auto& tt = vi.type().tensor_type();
    if (tt.elem_type() != 0 && value.dtype == DType::Undefined) value.dtype = static_cast<DType>(tt.elem_type());
    if (tt.has_shape()) {
      std::vector<Dim> dims;
      for (const auto& d : tt.shape().dim()) {
        Dim dim;
        if (d.has_dim_value()) dim.value = d.dim_value();
        if (d.has_dim_param()) dim.symbol = d.dim_param();
        dims.push_back(dim);
      }
      value.dims = std::move(dims);
    }
  }

  void read_constant_node(const onnx::NodeProto& np, Graph& graph) {
    if (np.output_size() != 1) throw Error(where() + ": Constant node '" + np.name() + "' must have one output");
    std::string what = "Constant node '" + np.name() + "'";
    Tensor value;
    for (const auto& attr : np.attribute()) {
      const std::string& n = attr.name();
      if (n == "value") {
        value = read_tensor(attr.t(), what);
      } else if (n == "value_float") {
        value = Tensor::from_vector<float>(DType::Float32, {}, {attr.f()});
      } else if (n == "value_floats") {
        std::vector<float> v(attr.floats().begin(), attr.floats().end());
        value = Tensor::from_vector<float>(DType::Float32, {static_cast<int64_t>(v.size())}, v);
      } else if (n == "value_int") {
        value = Tensor::from_vector<int64_t>(DType::Int64, {}, {attr.i()});
      } else if (n == "value_ints") {
        std::vector<int64_t> v(attr.ints().begin(), attr.ints().end());
        value = Tensor::from_vector<int64_t>(DType::Int64, {static_cast<int64_t>(v.size())}, v);
      } else {
        throw Error(where() + ": " + what + " has unsupported attribute '" + n + "'");
      }
    }
    if (!value.defined()) throw Error(where() + ": " + what + " has no value");
    int id = graph.value_id(np.output(0));
    graph.values[id].constant = value;
    graph.values[id].dtype = value.dtype();
  }

  Attribute read_attribute(const onnx::AttributeProto& ap, const Node& node) {
    Attribute a;
    int type = ap.type();
    if (type == onnx::AttributeProto::UNDEFINED) {
      // Files from very old exporters omit the type; infer it from the field that is set.
      if (ap.has_f()) type = onnx::AttributeProto::FLOAT;
      else if (ap.has_i()) type = onnx::AttributeProto::INT;
      else if (ap.has_s()) type = onnx::AttributeProto::STRING;
      else if (ap.has_t()) type = onnx::AttributeProto::TENSOR;
      else if (ap.has_g()) type = onnx::AttributeProto::GRAPH;
      else if (ap.floats_size()) type = onnx::AttributeProto::FLOATS;
      else if (ap.ints_size()) type = onnx::AttributeProto::INTS;
      else if (ap.strings_size()) type = onnx::AttributeProto::STRINGS;
    }
    switch (type) {
      case onnx::AttributeProto::FLOAT: a.kind = Attribute::Kind::Float; a.f = ap.f(); break;
      case onnx::AttributeProto::INT: a.kind = Attribute::Kind::Int; a.i = ap.i(); break;
      case onnx::AttributeProto::STRING: a.kind = Attribute::Kind::String; a.s = ap.s(); break;
      case onnx::AttributeProto::TENSOR:
        a.kind = Attribute::Kind::Tensor;
        a.t = read_tensor(ap.t(), "attribute '" + ap.name() + "' of node " + node.describe());
        break;
      case onnx::AttributeProto::GRAPH:
        a.kind = Attribute::Kind::Graph;
        a.g = read_graph(ap.g(), /*is_subgraph=*/true);
        break;
      case onnx::AttributeProto::FLOATS:
        a.kind = Attribute::Kind::Floats;
        a.floats.assign(ap.floats().begin(), ap.floats().end());
        break;
      case onnx::AttributeProto::INTS:
        a.kind = Attribute::Kind::Ints;
        a.ints.assign(ap.ints().begin(), ap.ints().end());
        break;
      case onnx::AttributeProto::STRINGS:
        a.kind = Attribute::Kind::Strings;
        a.strings.assign(ap.strings().begin(), ap.strings().end());
        break;
      default:
        throw Error(where() + ": attribute '" + ap.name() + "' of node " + node.describe() +
                    " has unsupported type " + std::to_string(type));
    }
    return a;
  }

  Tensor read_tensor(const onnx::TensorProto& tp, const std::string& what) {
    if (!is_supported_dtype(tp.data_type())) {
      throw Error(where() + ": " + what + " has unsupported data_type " + std::to_string(tp.data_type()));
    }
    DType dtype = static_cast<DType>(tp.data_type());
    Shape shape(tp.dims().begin(), tp.dims().end());
    for (int64_t d : shape) {
      if (d < 0) throw Error(where() + ": " + what + " has a negative dimension");
    }
    const size_t expected = dtype_bytes(dtype, shape_numel(shape));

    if (tp.data_location() == onnx::TensorProto::EXTERNAL) return read_external(tp, dtype, shape, expected, what);

    if (tp.has_raw_data()) {
      const std::string& raw = tp.raw_data();
      if (raw.size() != expected) {
        throw Error(where() + ": " + what + " holds " + std::to_string(raw.size()) + " bytes of raw_data, expected " +
                    std::to_string(expected) + " for " + dtype_name(dtype) + " " + shape_string(shape));
      }
      // The parsed proto lives as long as the model; view its bytes instead of copying them.
      return Tensor::view(dtype, std::move(shape), raw.data(), proto_);
    }
    return read_typed_fields(tp, dtype, std::move(shape), what);
  }

  Tensor read_typed_fields(const onnx::TensorProto& tp, DType dtype, Shape shape, const std::string& what) {
    Tensor t = Tensor::zeros(dtype, shape);
    const int64_t n = t.numel();
    auto check_count = [&](int64_t have) {
      if (have != n) {
        throw Error(where() + ": " + what + " holds " + std::to_string(have) + " values, expected " +
                    std::to_string(n) + " for shape " + shape_string(t.shape()));
      }
    };
    switch (dtype) {
      case DType::Float32:
        check_count(tp.float_data_size());
        std::copy(tp.float_data().begin(), tp.float_data().end(), t.mutable_data<float>());
        break;
      case DType::Float64:
        check_count(tp.double_data_size());
        std::copy(tp.double_data().begin(), tp.double_data().end(), t.mutable_data<double>());
        break;
      case DType::Int64:
        check_count(tp.int64_data_size());
        std::copy(tp.int64_data().begin(), tp.int64_data().end(), t.mutable_data<int64_t>());
        break;
      case DType::UInt32:
        check_count(tp.uint64_data_size());
        for (int64_t i = 0; i < n; ++i) t.mutable_data<uint32_t>()[i] = static_cast<uint32_t>(tp.uint64_data(i));
        break;
      case DType::UInt64:
        check_count(tp.uint64_data_size());
        std::copy(tp.uint64_data().begin(), tp.uint64_data().end(), t.mutable_data<uint64_t>());
        break;
      case DType::Int32:
        check_count(tp.int32_data_size());
        std::copy(tp.int32_data().begin(), tp.int32_data().end(), t.mutable_data<int32_t>());
        break;
      case DType::Int16: case DType::UInt16: case DType::Float16: case DType::BFloat16:
        check_count(tp.int32_data_size());
        for (int64_t i = 0; i < n; ++i) t.mutable_data<uint16_t>()[i] = static_cast<uint16_t>(tp.int32_data(i));
        break;
      case DType::Int8: case DType::UInt8: case DType::Bool: case DType::Float8E4M3FN:
      case DType::Float8E4M3FNUZ: case DType::Float8E5M2: case DType::Float8E5M2FNUZ:
        check_count(tp.int32_data_size());
        for (int64_t i = 0; i < n; ++i) t.mutable_data<uint8_t>()[i] = static_cast<uint8_t>(tp.int32_data(i));
        break;
      case DType::Int4: case DType::UInt4: {
        // int32_data holds the packed bytes, one per element.
        int64_t bytes = static_cast<int64_t>(t.nbytes());
        check_count(tp.int32_data_size() * 2 - (n % 2));
        for (int64_t i = 0; i < bytes; ++i) t.mutable_data<uint8_t>()[i] = static_cast<uint8_t>(tp.int32_data(i));
        break;
      }
      default:
        throw Error(where() + ": " + what + " has data_type " + dtype_name(dtype) + " without raw_data");
    }
    return t;
  }

  Tensor read_external(const onnx::TensorProto& tp, DType dtype, Shape shape, size_t expected, const std::string& what) {
    std::string location;
    int64_t offset = 0;
    int64_t length = -1;
    for (const auto& kv : tp.external_data()) {
      try {
        if (kv.key() == "location") location = kv.value();
        else if (kv.key() == "offset") offset = std::stoll(kv.value());
        else if (kv.key() == "length") length = std::stoll(kv.value());
      } catch (const std::exception&) {
        throw Error(where() + ": " + what + " has a non-numeric external_data " + kv.key() + " '" + kv.value() + "'");
      }
    }
    if (location.empty()) throw Error(where() + ": " + what + " is stored externally but names no location");
    fs::path rel(location);
    if (rel.is_absolute() || std::any_of(rel.begin(), rel.end(), [](const fs::path& p) { return p == ".."; })) {
      throw Error(where() + ": " + what + " has external data location '" + location +
                  "', which must be a path inside the model's folder");
    }
    fs::path data_path = model_path_.parent_path() / rel;
    auto it = data_files_.find(data_path.string());
    if (it == data_files_.end()) {
      if (!fs::exists(data_path)) {
        throw Error(where() + ": " + what + " needs external data file " + data_path.string() + ", which does not exist");
      }
      it = data_files_.emplace(data_path.string(), MappedFile::open(data_path)).first;
    }
    const auto& file = it->second;
    if (length < 0) length = static_cast<int64_t>(file->size()) - offset;
    if (offset < 0 || static_cast<size_t>(length) != expected ||
        static_cast<uint64_t>(offset) + static_cast<uint64_t>(length) > file->size()) {
      throw Error(where() + ": " + what + " expects " + std::to_string(expected) + " bytes at offset " +
                  std::to_string(offset) + " (length " + std::to_string(length) + ") of " + data_path.string() +
                  ", which holds " + std::to_string(file->size()) + " bytes (truncated or mismatched data file?)");
    }
    const unsigned char* p = file->data() + offset;
    size_t align = std::max<size_t>(1, static_cast<size_t>(dtype_bits(dtype) / 8));
    if (reinterpret_cast<uintptr_t>(p) % align != 0) {
      // Kernels read typed pointers; an unaligned offset gets an aligned private copy.
      Tensor t = Tensor::empty(dtype, std::move(shape));
      std::memcpy(t.mutable_raw(), p, expected);
      return t;
    }
    return Tensor::view(dtype, std::move(shape), p, file);
  }

  fs::path model_path_;
  std::shared_ptr<const onnx::ModelProto> proto_;
  const std::map<std::string, int>* opsets_ = nullptr;
  std::map<std::string, std::shared_ptr<const MappedFile>> data_files_;
};

}  // namespace

OnnxModel load_onnx(const std::filesystem::path& path) {
  if (!fs::exists(path)) throw Error("model file " + path.string() + " does not exist");
  auto proto = std::make_shared<onnx::ModelProto>();
  {
    auto file = MappedFile::open(path);
    if (file->size() > static_cast<size_t>(INT_MAX)) {
      throw Error(path.string() + " is larger than 2 GB; protobuf cannot hold it: store the weights as external data");
    }
    google::protobuf::io::ArrayInputStream stream(file->data(), static_cast<int>(file->size()));
    google::protobuf::io::CodedInputStream coded(&stream);
    coded.SetTotalBytesLimit(INT_MAX);
    if (file->size() == 0 || !proto->ParseFromCodedStream(&coded) || !coded.ConsumedEntireMessage()) {
      throw Error(path.string() + " is not a valid ONNX model (protobuf parse failed: truncated or corrupt file)");
    }
  }
  return OnnxReader(path, std::move(proto)).read();
}

}  // namespace evalq

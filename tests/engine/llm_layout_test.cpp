#include <gtest/gtest.h>

#include "model/llm_layout.h"
#include "model/model_config.h"

using namespace evalq;

namespace {

TensorSpec spec(const std::string& name, std::vector<int64_t> dims = {}) {
  TensorSpec s;
  s.name = name;
  s.dtype = DType::Float32;
  s.has_shape = !dims.empty();
  s.dims = std::move(dims);
  return s;
}

// An Optimum-style decoder's I/O with `layers` separate key/value pairs on both sides.
struct Io {
  std::vector<TensorSpec> inputs{spec("input_ids", {1, -1})}, outputs{spec("logits", {1, -1, 32})};
  explicit Io(int layers) {
    for (int i = 0; i < layers; ++i) {
      for (const char* kind : {"key", "value"}) {
        inputs.push_back(spec("past_key_values." + std::to_string(i) + "." + kind, {1, 2, -1, 8}));
        outputs.push_back(spec("present." + std::to_string(i) + "." + kind, {1, 2, -1, 8}));
      }
    }
  }
  void drop_input(const std::string& name) {
    std::erase_if(inputs, [&](const TensorSpec& s) { return s.name == name; });
  }
};

std::string why_not(const Io& io, const ModelConfig& config = {}) {
  std::string why;
  EXPECT_FALSE(detect_llm_layout(io.inputs, io.outputs, config, why).has_value());
  return why;
}

ModelConfig combined_config() {
  ModelConfig c;
  c.past_combined_pattern = "past_%d";
  c.present_combined_pattern = "present_%d";
  return c;
}

}  // namespace

TEST(LlmLayout, SeparateKeysAndValues) {
  Io io(2);
  std::string why;
  auto l = detect_llm_layout(io.inputs, io.outputs, ModelConfig{}, why);
  ASSERT_TRUE(l.has_value()) << why;
  EXPECT_EQ(l->past_keys, (std::vector<std::string>{"past_key_values.0.key", "past_key_values.1.key"}));
  EXPECT_EQ(l->present_values, (std::vector<std::string>{"present.0.value", "present.1.value"}));
  EXPECT_FALSE(l->combined_kv);
  EXPECT_EQ(l->kv_heads, 2);
  EXPECT_EQ(l->head_size, 8);
}

TEST(LlmLayout, RefusesIncompleteOrUndeclaredKvCaches) {
  Io missing_value(2);
  missing_value.drop_input("past_key_values.1.value");
  EXPECT_EQ(why_not(missing_value), "the KV-cache inputs/outputs are incomplete at layer 1");

  Io gap(3);
  for (const char* name : {"past_key_values.1.key", "past_key_values.1.value"}) gap.drop_input(name);
  gap.outputs.erase(gap.outputs.end() - 2, gap.outputs.end());
  EXPECT_EQ(why_not(gap), "the KV-cache inputs/outputs are incomplete at layer 2");

  Io more_present(1);
  more_present.outputs.push_back(spec("present.1.key"));
  EXPECT_EQ(why_not(more_present),
            "the model has 1 past layers ('past_key_values.%d.key', 'past_key_values.%d.value') but 2 present layers "
            "('present.%d.key', 'present.%d.value')");

  Io no_shape(1);
  no_shape.inputs[1] = spec("past_key_values.0.key");
  EXPECT_EQ(why_not(no_shape), "past input 'past_key_values.0.key' must be declared [batch, kv_heads, past_length, "
                               "head_size] with fixed heads and head size");
}

TEST(LlmLayout, CombinedKvPerLayer) {
  Io io(0);
  for (int i = 0; i < 2; ++i) {
    io.inputs.push_back(spec("past_" + std::to_string(i), {2, 1, 4, -1, 16}));
    io.outputs.push_back(spec("present_" + std::to_string(i), {2, 1, 4, -1, 16}));
  }
  std::string why;
  auto l = detect_llm_layout(io.inputs, io.outputs, combined_config(), why);
  ASSERT_TRUE(l.has_value()) << why;
  EXPECT_TRUE(l->combined_kv);
  EXPECT_EQ(l->past_keys, (std::vector<std::string>{"past_0", "past_1"}));
  EXPECT_TRUE(l->past_values.empty());
  EXPECT_EQ(l->kv_heads, 4);
  EXPECT_EQ(l->head_size, 16);

  Io short_present = io;
  short_present.outputs.pop_back();
  EXPECT_EQ(why_not(short_present, combined_config()),
            "the model has 2 combined past layers ('past_%d') but 1 present layers ('present_%d')");

  Io renumbered = io;
  renumbered.outputs.back().name = "present_5";
  EXPECT_EQ(why_not(renumbered, combined_config()),
            "the combined KV-cache inputs/outputs are incomplete at layer 1");

  Io four_d = io;
  four_d.inputs[1].dims = {1, 4, -1, 16};
  EXPECT_EQ(why_not(four_d, combined_config()),
            "combined past input 'past_0' must be declared [2, batch, heads, past_length, head_size] with fixed "
            "heads and head size");
}

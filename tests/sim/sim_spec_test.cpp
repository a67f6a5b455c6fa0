#include <evalq/error.h>
#include <gtest/gtest.h>

#include "quant/sim_spec.h"

using namespace evalq;

namespace {

std::string error_of(const std::string& spec) {
  try {
    parse_sim_spec(spec);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// The caret line of an error message: the column of '^' below the spec.
size_t caret_column(const std::string& msg) {
  auto last = msg.rfind('\n');
  return msg.find('^', last) - last - 1 - 2;
}

TEST(SimSpec, Defaults) {
  SimSpec s = parse_sim_spec("int4");
  ASSERT_EQ(s.rules.size(), 1u);
  EXPECT_EQ(s.rules[0].format, SimFormat::Int4);
  EXPECT_EQ(s.rules[0].block, 32);
  EXPECT_TRUE(s.rules[0].symmetric);
  EXPECT_EQ(s.rules[0].algo, SimAlgo::Ort);
  EXPECT_FALSE(s.rules[0].act_int8);
  EXPECT_EQ(parse_sim_spec("int8").rules[0].block, 0);
}

TEST(SimSpec, MixedPrecisionRules) {
  SimSpec s = parse_sim_spec("int4:block=128 ; int8:channel@*down_proj*, *v_proj*");
  ASSERT_EQ(s.rules.size(), 2u);
  EXPECT_EQ(s.rules[0].block, 128);
  EXPECT_TRUE(s.rules[0].patterns.empty());
  EXPECT_EQ(s.rules[1].format, SimFormat::Int8);
  EXPECT_EQ(s.rules[1].block, 0);
  EXPECT_EQ(s.rules[1].patterns, (std::vector<std::string>{"*down_proj*", "*v_proj*"}));
  EXPECT_EQ(s.rules[1].text, "int8:channel@*down_proj*, *v_proj*");
}

TEST(SimSpec, AllOptions) {
  SimRule r = parse_sim_spec("int4:block=64,asym,algo=ort,act=int8,lm_head=no@first:2,last:1,layers.3.*").rules[0];
  EXPECT_EQ(r.block, 64);
  EXPECT_FALSE(r.symmetric);
  EXPECT_TRUE(r.act_int8);
  EXPECT_EQ(r.lm_head, false);
  EXPECT_EQ(r.first_layers, 2);
  EXPECT_EQ(r.last_layers, 1);
  EXPECT_EQ(r.patterns, std::vector<std::string>{"layers.3.*"});
  EXPECT_EQ(r.describe(), "int4 block 64 asym (ort), act int8");
  EXPECT_EQ(parse_sim_spec("int4:algo=modelopt").rules[0].algo, SimAlgo::ModelOpt);
  EXPECT_EQ(parse_sim_spec("fp8").rules[0].describe(), "fp8 e4m3fn per channel");
  EXPECT_EQ(parse_sim_spec("none@*lm_head*").rules[0].format, SimFormat::None);
}

TEST(SimSpec, ErrorsPointAtTheOffendingCharacter) {
  std::string spec = "int4:block=100";
  std::string msg = error_of(spec);
  EXPECT_NE(msg.find("power of two"), std::string::npos) << msg;
  EXPECT_EQ(caret_column(msg), spec.find("100")) << msg;

  spec = "int4:block=32; int3";
  msg = error_of(spec);
  EXPECT_NE(msg.find("unknown format 'int3'"), std::string::npos) << msg;
  EXPECT_EQ(caret_column(msg), spec.find("int3")) << msg;

  spec = "int8:chanel";
  msg = error_of(spec);
  EXPECT_NE(msg.find("unknown option 'chanel'"), std::string::npos) << msg;
  EXPECT_EQ(caret_column(msg), spec.find("chanel")) << msg;

  spec = "int4@first:x";
  msg = error_of(spec);
  EXPECT_EQ(caret_column(msg), spec.find("x")) << msg;

  for (std::string bad : {"", "int4;;int8", "int4:algo=gptq", "int4:act=int4", "int8:channel,act=int8",
                          "int8:algo=modelopt", "fp8:block=32", "int4:sym=1", "int4:lm_head=maybe", "int4:,"}) {
    EXPECT_NE(error_of(bad).find("bad --sim spec"), std::string::npos) << "'" << bad << "' was accepted";
  }
}

TEST(SimSpec, Glob) {
  EXPECT_TRUE(glob_match("*down_proj*", "model.layers.0.mlp.down_proj.MatMul.weight"));
  EXPECT_TRUE(glob_match("layers.?.*", "layers.3.attn"));
  EXPECT_FALSE(glob_match("layers.?.*", "layers.12.attn"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_FALSE(glob_match("*q_proj", "q_proj.weight"));
  EXPECT_TRUE(glob_match("a*b*c", "aXbYbZc"));
}

}  // namespace

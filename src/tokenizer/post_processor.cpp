#include "tokenizer/post_processor.h"

#include <string>

namespace evalq::tok {
namespace {

// Ids of the single-sequence template, with kSequence standing for the encoded text.
constexpr TokenId kSequence = -1;

class TemplateProcessor : public PostProcessor {
 public:
  explicit TemplateProcessor(std::vector<TokenId> items) : items_(std::move(items)) {}
  void process(std::vector<TokenId>& ids) const override {
    std::vector<TokenId> out;
    out.reserve(ids.size() + items_.size());
    for (TokenId item : items_) {
      if (item == kSequence) out.insert(out.end(), ids.begin(), ids.end());
      else out.push_back(item);
    }
    ids = std::move(out);
  }
  std::optional<TokenId> leading_special() const override {
    if (items_.empty() || items_[0] == kSequence) return std::nullopt;
    return items_[0];
  }

 private:
  std::vector<TokenId> items_;
};

class IdentityProcessor : public PostProcessor {
 public:
  void process(std::vector<TokenId>&) const override {}
};

class SequenceProcessor : public PostProcessor {
 public:
  explicit SequenceProcessor(std::vector<std::unique_ptr<PostProcessor>> steps) : steps_(std::move(steps)) {}
  void process(std::vector<TokenId>& ids) const override {
    for (const auto& s : steps_) s->process(ids);
  }
  std::optional<TokenId> leading_special() const override {
    for (const auto& s : steps_) {
      if (auto id = s->leading_special()) return id;
    }
    return std::nullopt;
  }

 private:
  std::vector<std::unique_ptr<PostProcessor>> steps_;
};

TokenId to_id(const JsonView& v) {
  int64_t id = v.integer();
  if (id < 0 || id > INT32_MAX) v.fail("token id out of range");
  return static_cast<TokenId>(id);
}

std::unique_ptr<PostProcessor> parse_template(const JsonView& v) {
  JsonView single = v.at("single");
  JsonView specials = v.at("special_tokens");
  std::vector<TokenId> items;
  for (size_t i = 0; i < single.size(); ++i) {
    JsonView item = single.at(i);
    if (item.has("Sequence")) {
      items.push_back(kSequence);
    } else if (item.has("SpecialToken")) {
      JsonView name = item.at("SpecialToken").at("id");
      std::string key = name.string();
      if (!specials.has(key)) name.fail("special token \"" + key + "\" is not in special_tokens");
      JsonView ids = specials.at(key).at("ids");
      for (size_t k = 0; k < ids.size(); ++k) items.push_back(to_id(ids.at(k)));
    } else {
      item.fail("expected {\"Sequence\": ...} or {\"SpecialToken\": ...}");
    }
  }
  return std::make_unique<TemplateProcessor>(std::move(items));
}

}  // namespace

std::unique_ptr<PostProcessor> parse_post_processor(const JsonView& v) {
  if (v.json().is_null()) return nullptr;
  std::string type = v.type();
  if (type == "TemplateProcessing") return parse_template(v);
  if (type == "ByteLevel") return std::make_unique<IdentityProcessor>();
  if (type == "BertProcessing" || type == "RobertaProcessing") {
    // "cls": ["[CLS]", 101], "sep": ["[SEP]", 102]: single sequences become cls $A sep.
    TokenId cls = to_id(v.at("cls").at(1)), sep = to_id(v.at("sep").at(1));
    return std::make_unique<TemplateProcessor>(std::vector<TokenId>{cls, kSequence, sep});
  }
  if (type == "Sequence") {
    JsonView list = v.at("processors");
    std::vector<std::unique_ptr<PostProcessor>> steps;
    for (size_t i = 0; i < list.size(); ++i) {
      if (auto p = parse_post_processor(list.at(i))) steps.push_back(std::move(p));
    }
    return std::make_unique<SequenceProcessor>(std::move(steps));
  }
  v.at("type").fail("unsupported post_processor type \"" + type +
                    "\" (supported: TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence)");
}

}  // namespace evalq::tok

#include "tokenizer/json_view.h"

namespace evalq::tok {

void JsonView::fail(const std::string& what) const { throw Error(*file_ + ": " + path_ + ": " + what); }

bool JsonView::has(std::string_view key) const {
  if (!node_->is_object()) return false;
  auto it = node_->find(key);
  return it != node_->end() && !it->is_null();
}

JsonView JsonView::at(std::string_view key) const {
  if (!node_->is_object()) fail("expected an object with \"" + std::string(key) + "\", found " + node_->type_name());
  auto it = node_->find(key);
  if (it == node_->end()) fail("missing \"" + std::string(key) + "\"");
  return JsonView(*it, path_ + "." + std::string(key), file_);
}

JsonView JsonView::at(size_t index) const {
  if (!node_->is_array() || index >= node_->size()) fail("expected an array with element " + std::to_string(index));
  return JsonView((*node_)[index], path_ + "[" + std::to_string(index) + "]", file_);
}

size_t JsonView::size() const {
  if (!node_->is_array()) fail(std::string("expected an array, found ") + node_->type_name());
  return node_->size();
}

std::string JsonView::string() const {
  if (!node_->is_string()) fail(std::string("expected a string, found ") + node_->type_name());
  return node_->get<std::string>();
}

bool JsonView::boolean() const {
  if (!node_->is_boolean()) fail(std::string("expected true or false, found ") + node_->type_name());
  return node_->get<bool>();
}

int64_t JsonView::integer() const {
  if (!node_->is_number_integer()) fail(std::string("expected an integer, found ") + node_->type_name());
  return node_->get<int64_t>();
}

bool JsonView::boolean(std::string_view key, bool fallback) const { return has(key) ? at(key).boolean() : fallback; }

int64_t JsonView::integer(std::string_view key, int64_t fallback) const {
  return has(key) ? at(key).integer() : fallback;
}

}  // namespace evalq::tok

#include "formats/ocds/merge.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <fstream>
#include <string_view>
#include <utility>

#include "domain/time.h"

namespace limpide::formats::ocds {

using nlohmann::json;

// One field of the release as the schema describes it. The table is a tree stored in a
// vector: children name their index; index 0 is the release itself.
struct Merger::RuleNode {
  std::string name;
  MergeRule rule = MergeRule::kDefault;
  bool version_id = false;
  // Fields of the object (kObject) or of the objects in the array (kIdentifierMerge).
  std::vector<std::pair<std::string, uint32_t>> children;
};

std::string_view MergeRuleName(MergeRule rule) {
  switch (rule) {
    case MergeRule::kDefault:
      return "default";
    case MergeRule::kObject:
      return "object";
    case MergeRule::kIdentifierMerge:
      return "identifierMerge";
    case MergeRule::kWholeListMerge:
      return "wholeListMerge";
    case MergeRule::kOmitWhenMerged:
      return "omitWhenMerged";
  }
  return "?";
}

namespace {

using RuleNode = Merger::RuleNode;

// ---------------------------------------------------------------------------
// The rule table, derived from the schema as the OCDS reference implementation
// (ocdsmerge) derives it from the dereferenced schema.

bool HasType(const json& schema, std::string_view type) {
  const auto it = schema.find("type");
  if (it == schema.end()) return false;
  if (it->is_string()) return it->get_ref<const std::string&>() == type;
  if (it->is_array()) {
    return std::any_of(it->begin(), it->end(), [&](const json& t) {
      return t.is_string() && t.get_ref<const std::string&>() == type;
    });
  }
  return false;
}

// True if `type` lists anything but "object" (an array of those is replaced whole).
bool HasNonObjectType(const json& schema) {
  const auto it = schema.find("type");
  if (it == schema.end()) return false;
  if (it->is_string()) return it->get_ref<const std::string&>() != "object";
  if (it->is_array()) {
    return std::any_of(it->begin(), it->end(), [](const json& t) {
      return !t.is_string() || t.get_ref<const std::string&>() != "object";
    });
  }
  return false;
}

bool IsTrue(const json& schema, const char* key) {
  const auto it = schema.find(key);
  return it != schema.end() && it->is_boolean() && it->get<bool>();
}

bool HasStrategy(const json& schema, std::string_view strategy) {  // OCDS 1.0's mergeStrategy
  const auto it = schema.find("mergeStrategy");
  return it != schema.end() && it->is_string() && it->get_ref<const std::string&>() == strategy;
}

class RuleBuilder {
 public:
  explicit RuleBuilder(const json& root) : root_(root) {}

  Result<std::vector<RuleNode>> Build() {
    const auto props = root_.find("properties");
    if (!root_.is_object() || props == root_.end() || !props->is_object()) {
      return Status::InvalidArgument("release schema: no `properties` object at the top");
    }
    table_.push_back(RuleNode{"", MergeRule::kObject, false, {}});
    LIMPIDE_RETURN_IF_ERROR(AddChildren(0, *props, ""));
    return std::move(table_);
  }

 private:
  // Follows `$ref` chains. Returns nullptr for a reference to another document (its fields
  // take the default rules) or one already being expanded (a recursive definition).
  Result<const json*> Resolve(const json& schema, const std::string& path) {
    const json* at = &schema;
    for (int hops = 0; at->is_object(); ++hops) {
      const auto ref = at->find("$ref");
      if (ref == at->end()) return at;
      if (!ref->is_string()) {
        return Status::InvalidArgument("release schema: `$ref` of " + path + " is not a string");
      }
      const std::string& target = ref->get_ref<const std::string&>();
      if (target.empty() || target[0] != '#') return nullptr;
      if (hops > 32 ||
          std::find(expanding_.begin(), expanding_.end(), target) != expanding_.end()) {
        return nullptr;
      }
      try {
        at = &root_.at(json::json_pointer(target.substr(1)));
      } catch (const json::exception&) {
        std::string message = "release schema: `$ref` \"";
        message += target;
        message += "\" of ";
        message += path;
        message += " points nowhere";
        return Status::InvalidArgument(std::move(message));
      }
    }
    return at;
  }

  Status AddChildren(uint32_t parent, const json& properties, const std::string& path) {
    for (auto it = properties.begin(); it != properties.end(); ++it) {
      if (!it->is_object()) continue;
      const std::string child_path = path.empty() ? it.key() : path + "/" + it.key();
      auto index = Add(it.key(), *it, child_path);
      if (!index.ok()) return index.status();
      table_[parent].children.emplace_back(it.key(), *index);
    }
    return Status::Ok();
  }

  Result<uint32_t> Add(const std::string& name, const json& declared, const std::string& path) {
    const auto index = static_cast<uint32_t>(table_.size());
    table_.push_back(RuleNode{name, MergeRule::kDefault, false, {}});

    auto resolved = Resolve(declared, path);
    if (!resolved.ok()) return resolved.status();
    // Keywords beside a `$ref` count as well as those of its target.
    const json& target = *resolved ? **resolved : declared;
    auto flag = [&](const char* key) { return IsTrue(declared, key) || IsTrue(target, key); };
    table_[index].version_id = flag("versionId");
    if (*resolved == nullptr) {  // not followed: only the keywords written here count
      if (flag("omitWhenMerged")) {
        table_[index].rule = MergeRule::kOmitWhenMerged;
      } else if (flag("wholeListMerge") && HasType(declared, "array")) {
        table_[index].rule = MergeRule::kWholeListMerge;
      }
      return index;
    }

    const bool pushed = PushRef(declared);
    MergeRule rule = MergeRule::kDefault;
    Status status;
    if (flag("omitWhenMerged") || HasStrategy(target, "ocdsOmit")) {
      rule = MergeRule::kOmitWhenMerged;
    } else if (HasType(target, "array") &&
               (flag("wholeListMerge") || HasStrategy(target, "ocdsVersion"))) {
      rule = MergeRule::kWholeListMerge;
    } else if (HasType(target, "object") && target.contains("properties") &&
               target["properties"].is_object()) {
      rule = MergeRule::kObject;
      status = AddChildren(index, target["properties"], path);
    } else if (HasType(target, "array") && target.contains("items")) {
      auto items = Resolve(target["items"], path + "/items");
      if (!items.ok()) return items.status();
      if (*items != nullptr) {
        const json& item = **items;
        const bool item_pushed = PushRef(target["items"]);
        const auto props = item.find("properties");
        if (HasNonObjectType(item)) {
          rule = MergeRule::kWholeListMerge;
        } else if (HasType(item, "object") && props != item.end() && props->is_object()) {
          if (!props->contains("id")) {
            rule = MergeRule::kWholeListMerge;
          } else {
            rule = MergeRule::kIdentifierMerge;
            status = AddChildren(index, *props, path);
          }
        }
        if (item_pushed) expanding_.pop_back();
      }
    }
    if (pushed) expanding_.pop_back();
    LIMPIDE_RETURN_IF_ERROR(status);
    table_[index].rule = rule;
    return index;
  }

  // Remembers a local `$ref` while its target is expanded, to stop on recursive definitions.
  bool PushRef(const json& schema) {
    const auto ref = schema.find("$ref");
    if (ref == schema.end() || !ref->is_string()) return false;
    expanding_.push_back(ref->get<std::string>());
    return true;
  }

  const json& root_;
  std::vector<RuleNode> table_;
  std::vector<std::string> expanding_;
};

// ---------------------------------------------------------------------------
// Input checks and order.

struct SortedRelease {
  const json* release;
  size_t index;  // in the caller's list, for messages
  domain::Instant date;
};

std::string Describe(const json& release, size_t index) {
  std::string out = "release " + std::to_string(index);
  if (release.is_object()) {
    const auto id = release.find("id");
    if (id != release.end() && id->is_string()) {
      out += " (id \"" + id->get<std::string>() + "\")";
    } else if (id != release.end() && id->is_number()) {
      out += " (id " + id->dump() + ")";
    }
  }
  return out;
}

Status Bad(const json& release, size_t index, const std::string& field, const std::string& why) {
  return Status::InvalidArgument(
      Describe(release, index) + ": " + why,
      "releases[" + std::to_string(index) + "]" + (field.empty() ? "" : "." + field));
}

const char* TypeName(const json& v) { return v.type_name(); }

// Checks every release and returns them in merge order: by date, ties in input order.
Result<std::vector<SortedRelease>> CheckAndSort(std::span<const json> releases) {
  if (releases.empty()) return Status::InvalidArgument("no releases to merge", "releases");
  std::vector<SortedRelease> sorted;
  sorted.reserve(releases.size());
  const std::string* ocid = nullptr;
  for (size_t i = 0; i < releases.size(); ++i) {
    const json& r = releases[i];
    if (!r.is_object()) {
      return Bad(r, i, "", std::string("is not an object (it is ") + TypeName(r) + ")");
    }
    const auto id = r.find("id");
    if (id == r.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
      return Bad(r, i, "id", id == r.end() || id->is_null() ? "has no id" : "id is not a string");
    }
    const auto oc = r.find("ocid");
    if (oc == r.end() || oc->is_null() ||
        (oc->is_string() && oc->get_ref<const std::string&>().empty())) {
      return Bad(r, i, "ocid", "has no ocid");
    }
    if (!oc->is_string()) {
      return Bad(r, i, "ocid", std::string("ocid is not a string (it is ") + TypeName(*oc) + ")");
    }
    if (ocid == nullptr) {
      ocid = &oc->get_ref<const std::string&>();
    } else if (*ocid != oc->get_ref<const std::string&>()) {
      return Bad(r, i, "ocid",
                 "ocid \"" + oc->get<std::string>() + "\" differs from \"" + *ocid +
                     "\" (release 0): only releases of one contracting process merge");
    }
    const auto date = r.find("date");
    if (date == r.end() || date->is_null()) return Bad(r, i, "date", "has no date");
    if (!date->is_string()) {
      return Bad(r, i, "date", std::string("date is not a string (it is ") + TypeName(*date) + ")");
    }
    auto instant = domain::ParseInstant(date->get_ref<const std::string&>());
    if (!instant.ok()) return Bad(r, i, "date", instant.status().message());
    sorted.push_back({&r, i, *instant});
  }
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const SortedRelease& a, const SortedRelease& b) { return a.date < b.date; });
  return sorted;
}

// ---------------------------------------------------------------------------
// The merge. Releases are folded, in order, into a tree of nodes that point into
// the input (nothing is copied until the result is written out). A leaf holds
// the list of its values each time it changed, `null` included; without history
// (compiled release only) just the latest. Both results are written from the
// same tree: the compiled release takes the last value of each leaf.

// What an input value asks of the field it is in.
enum class Shape { kSkip, kNull, kLiteral, kObject, kIdArray };

const json kNull = nullptr;

struct Node;

struct Member {
  std::string key;  // compared with the keys of every release: kept beside the tree
  Node* node;
};

struct Element {
  const json* id;  // the object's `id`, nullptr if it has none
  Node* node;
};

struct Version {
  uint32_t release = 0;  // position in merge order
  const json* value = nullptr;
};

// The versions of a leaf, oldest first. Most leaves never change: their one version is kept
// inline, without an allocation.
class VersionList {
 public:
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  const Version& operator[](size_t i) const { return i == 0 ? first_ : rest_[i - 1]; }
  Version& back() { return size_ == 1 ? first_ : rest_.back(); }
  const Version& back() const { return size_ == 1 ? first_ : rest_.back(); }
  void push_back(Version v) {
    if (size_ == 0) {
      first_ = v;
    } else {
      rest_.push_back(v);
    }
    ++size_;
  }
  void clear() {
    size_ = 0;
    rest_.clear();
  }

 private:
  Version first_;
  std::vector<Version> rest_;
  size_t size_ = 0;
};

struct Node {
  enum class Kind : uint8_t { kLeaf, kObject, kArray };
  Kind kind = Kind::kLeaf;
  // False once `null` removed this object or array, until a release gives it again: the
  // compiled release leaves it out, the versioned release keeps the nulls of its fields.
  bool present = true;
  const RuleNode* rule = nullptr;  // nullptr: not in the schema, default rules
  std::vector<Member> members;     // kObject, sorted by key
  std::vector<Element> elements;   // kArray (arrays of objects merged by id)
  VersionList versions;            // kLeaf, never empty
  // kLeaf: the value in the latest release that had the field (equal to versions.back() when
  // that release did not change it). New values are compared with it: its release was read
  // a moment ago, so it is still in cache; versions.back() may be from long before.
  const json* latest = nullptr;

  void Reset(Kind k) {
    kind = k;
    present = true;
    members.clear();
    elements.clear();
    versions.clear();
    latest = nullptr;
  }
};

// String equality that rejects most differences before calling memcmp.
inline bool SameText(const std::string& a, const std::string& b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  if (n == 0) return true;
  return a[0] == b[0] && std::memcmp(a.data(), b.data(), n) == 0;
}

// a < b in the order of std::map's keys, deciding on the first byte when it can.
inline bool KeyLess(const std::string& a, const std::string& b) {
  if (!a.empty() && !b.empty() && a[0] != b[0]) {
    return static_cast<unsigned char>(a[0]) < static_cast<unsigned char>(b[0]);
  }
  return a < b;
}

inline bool IsId(const std::string& key) {
  return key.size() == 2 && key[0] == 'i' && key[1] == 'd';
}

// The non-null `id` of an object, or nullptr. Keys are in order: a short scan from the start
// costs less than a tree search, and touches the fields that are read next anyway.
inline const json* IdOf(const json& object) {
  for (const auto& [key, value] : object.get_ref<const json::object_t&>()) {
    if (IsId(key)) return value.is_null() ? nullptr : &value;
    if (!key.empty() && static_cast<unsigned char>(key[0]) > 'i') break;
  }
  return nullptr;
}

// JSON equality, with the common case (two strings) first.
inline bool SameValue(const json& a, const json& b) {
  const auto* x = a.get_ptr<const std::string*>();
  const auto* y = b.get_ptr<const std::string*>();
  if (x != nullptr && y != nullptr) return SameText(*x, *y);
  return a == b;
}

const RuleNode* ChildRule(const std::vector<RuleNode>& table, const RuleNode* parent,
                          std::string_view key) {
  if (parent == nullptr) return nullptr;
  for (const auto& [name, index] : parent->children) {
    if (name == key) return &table[index];
  }
  return nullptr;
}

Shape Classify(const json& v, const RuleNode* rule) {
  const MergeRule r = rule ? rule->rule : MergeRule::kDefault;
  if (r == MergeRule::kOmitWhenMerged) return Shape::kSkip;
  if (v.is_null()) return Shape::kNull;
  if (r == MergeRule::kWholeListMerge) return Shape::kLiteral;
  if (v.is_object()) return v.empty() ? Shape::kSkip : Shape::kObject;
  if (!v.is_array()) return Shape::kLiteral;
  // An empty array of objects adds nothing; an empty wholeListMerge array was handled above.
  if (v.empty()) return Shape::kSkip;
  const auto& items = v.get_ref<const json::array_t&>();
  if (!std::all_of(items.begin(), items.end(), [](const json& i) { return i.is_object(); })) {
    return Shape::kLiteral;
  }
  // The schema says "merge by id": objects without one are appended. Outside the schema,
  // only an array whose objects all carry an id is merged by id.
  if (r == MergeRule::kIdentifierMerge) return Shape::kIdArray;
  const bool all_ids =
      std::all_of(items.begin(), items.end(), [](const json& i) { return IdOf(i) != nullptr; });
  return all_ids ? Shape::kIdArray : Shape::kLiteral;
}

class Folder {
 public:
  // With `history`, every change of every leaf is kept (versioned release); without, only
  // the last value (compiled release).
  Folder(const std::vector<RuleNode>& table, bool history) : table_(table), history_(history) {
    root_.kind = Node::Kind::kObject;
    root_.rule = &table_.front();
  }

  // Merges one release (already checked). Its metadata (ocid, id, date, tag) is left to the
  // writers.
  void Add(const json& release, uint32_t position) {
    position_ = position;
    MergeObject(root_, release, /*element=*/false, /*release=*/true);
  }

  const Node& root() const { return root_; }

  // The first field whose history cannot be versioned (an object or array of objects in one
  // release, a value in another), and the position of the release that changed it; the
  // tree then holds the latest shape, which is all the compiled release needs.
  const Node* conflict() const { return conflict_; }
  uint32_t conflict_release() const { return conflict_release_; }

 private:
  Node* NewNode(Node::Kind kind, const RuleNode* rule) {
    Node& n = pool_.emplace_back();
    n.kind = kind;
    n.rule = rule;
    return &n;
  }

  // Input objects are std::maps, read in key order; `node.members` is kept in the same
  // order, so each key is found by moving a cursor forward instead of searching.
  void MergeObject(Node& node, const json& object, bool element, bool release = false) {
    node.present = true;
    const auto& fields = object.get_ref<const json::object_t&>();
    if (node.members.empty()) node.members.reserve(fields.size());
    size_t at = 0;
    for (const auto& [key, value] : fields) {
      if (release && (key == "ocid" || key == "id" || key == "date" || key == "tag")) continue;
      // The id of an object in an array is its identity: kept on the element, not versioned.
      if (element && IsId(key)) continue;
      // Releases of a process mostly repeat the same fields: the key is usually right there.
      bool found = at < node.members.size() && SameText(node.members[at].key, key);
      if (!found) {
        while (at < node.members.size() && KeyLess(node.members[at].key, key)) ++at;
        found = at < node.members.size() && SameText(node.members[at].key, key);
      }
      MergeField(node, at, found, key, value);
    }
  }

  // Merges `value`, found under `key` in an input object, into `parent`: into
  // `parent.members[at]` if `found`, else into a new member inserted there.
  void MergeField(Node& parent, size_t at, bool found, const std::string& key, const json& value) {
    Member* member = found ? &parent.members[at] : nullptr;
    const RuleNode* rule = member ? member->node->rule : ChildRule(table_, parent.rule, key);
    const Shape shape = Classify(value, rule);
    if (shape == Shape::kSkip) return;
    if (shape == Shape::kNull && member == nullptr && !history_) return;
    const Node::Kind kind = shape == Shape::kObject    ? Node::Kind::kObject
                            : shape == Shape::kIdArray ? Node::Kind::kArray
                                                       : Node::Kind::kLeaf;
    if (member == nullptr) {
      member = &*parent.members.insert(parent.members.begin() + static_cast<ptrdiff_t>(at),
                                       Member{key, NewNode(kind, rule)});
    }
    Node& node = *member->node;
    if (shape == Shape::kNull) {
      NullOut(node);
      return;
    }
    if (node.kind != kind) ChangeShape(node, kind);
    switch (kind) {
      case Node::Kind::kLeaf:
        AddVersion(node, value);
        break;
      case Node::Kind::kObject:
        MergeObject(node, value, /*element=*/false);
        break;
      case Node::Kind::kArray:
        MergeArray(node, value);
        break;
    }
  }

  // A field takes a new shape: the new value replaces the old one. A history of values and
  // one of an object's fields cannot share a list, so unless the field was only ever null,
  // that is a conflict for the versioned release.
  void ChangeShape(Node& node, Node::Kind kind) {
    bool only_nulls = node.kind == Node::Kind::kLeaf;
    for (size_t i = 0; only_nulls && i < node.versions.size(); ++i) {
      only_nulls = node.versions[i].value->is_null();
    }
    if (history_ && !only_nulls && conflict_ == nullptr) {
      conflict_ = &node;
      conflict_release_ = position_;
    }
    node.Reset(kind);
  }

  void AddVersion(Node& leaf, const json& value) {
    if (!history_) {
      if (leaf.versions.empty()) leaf.versions.push_back({});
      leaf.versions.back() = {position_, &value};
    } else if (leaf.latest == nullptr || !SameValue(*leaf.latest, value)) {
      leaf.versions.push_back({position_, &value});
    }
    leaf.latest = &value;
  }

  // `null`: a value becomes null; an object or array is removed, and so every value under it.
  void NullOut(Node& node) {
    switch (node.kind) {
      case Node::Kind::kLeaf:
        AddVersion(node, kNull);
        break;
      case Node::Kind::kObject:
        node.present = false;
        for (Member& m : node.members) NullOut(*m.node);
        break;
      case Node::Kind::kArray:
        node.present = false;
        for (Element& e : node.elements) NullOut(*e.node);
        break;
    }
  }

  void MergeArray(Node& array, const json& items) {
    array.present = true;
    const RuleNode* item_rule =
        array.rule && array.rule->rule == MergeRule::kIdentifierMerge ? array.rule : nullptr;
    size_t position = 0;
    for (const json& item : items.get_ref<const json::array_t&>()) {
      const json* id = IdOf(item);
      Node* target = nullptr;
      if (id != nullptr) {
        // Releases usually repeat an array in the same order: try the same position first.
        if (position < array.elements.size() && array.elements[position].id &&
            *array.elements[position].id == *id) {
          target = array.elements[position].node;
        } else {
          for (const Element& e : array.elements) {
            if (e.id && *e.id == *id) {
              target = e.node;
              break;
            }
          }
        }
      }
      if (target == nullptr) {
        target = NewNode(Node::Kind::kObject, item_rule);
        array.elements.push_back({id, target});
      }
      ++position;
      MergeObject(*target, item, /*element=*/true);
    }
  }

  const std::vector<RuleNode>& table_;
  const bool history_;
  Node root_;
  std::deque<Node> pool_;  // stable addresses
  uint32_t position_ = 0;
  const Node* conflict_ = nullptr;
  uint32_t conflict_release_ = 0;
};

// The path of `target` below `node`, "awards[id=\"a1\"]/items", for error messages.
bool PathTo(const Node& node, const Node* target, std::string& path) {
  if (&node == target) return true;
  const size_t size = path.size();
  for (const Member& m : node.members) {
    path += (path.empty() ? "" : "/") + std::string(m.key);
    if (PathTo(*m.node, target, path)) return true;
    path.resize(size);
  }
  for (size_t i = 0; i < node.elements.size(); ++i) {
    const Element& e = node.elements[i];
    path += e.id ? "[id=" + e.id->dump() + "]" : "[" + std::to_string(i) + "]";
    if (PathTo(*e.node, target, path)) return true;
    path.resize(size);
  }
  return false;
}

// ---------------------------------------------------------------------------
// Writing the results out.

// The compiled value of a node; false if it has none (removed, or nothing left in it).
bool WriteCompiled(const Node& node, json& out) {
  switch (node.kind) {
    case Node::Kind::kLeaf:
      if (node.versions.back().value->is_null()) return false;
      out = *node.versions.back().value;
      return true;
    case Node::Kind::kObject: {
      if (!node.present) return false;
      out = json::object();
      auto& object = out.get_ref<json::object_t&>();
      for (const Member& m : node.members) {
        json v;
        if (WriteCompiled(*m.node, v)) object.emplace(m.key, std::move(v));
      }
      return !object.empty();
    }
    case Node::Kind::kArray: {
      if (!node.present) return false;
      out = json::array();
      auto& array = out.get_ref<json::array_t&>();
      array.reserve(node.elements.size());
      for (const Element& e : node.elements) {
        if (!e.node->present) continue;  // removed by null
        json v;
        const bool has_fields = WriteCompiled(*e.node, v);
        if (e.id) {
          if (!has_fields) v = json::object();
          v.get_ref<json::object_t&>().emplace("id", *e.id);
        } else if (!has_fields) {
          continue;
        }
        array.push_back(std::move(v));
      }
      return !array.empty();
    }
  }
  return false;
}

class VersionedWriter {
 public:
  explicit VersionedWriter(const std::vector<SortedRelease>& releases) {
    // The metadata of each release once; every version entry copies it.
    stamps_.reserve(releases.size());
    for (const SortedRelease& r : releases) {
      const json& release = *r.release;
      const auto tag = release.find("tag");
      json stamp = json::object();
      stamp["releaseID"] = release["id"];
      stamp["releaseDate"] = release["date"];
      stamp["releaseTag"] = tag != release.end() ? *tag : json(nullptr);
      stamps_.push_back(std::move(stamp));
    }
  }

  // The versioned value of a node; false if it has none (an object with nothing in it).
  bool Write(const Node& node, json& out) const {
    switch (node.kind) {
      case Node::Kind::kLeaf: {
        out = json::array();
        auto& array = out.get_ref<json::array_t&>();
        array.reserve(node.versions.size());
        for (size_t i = 0; i < node.versions.size(); ++i) {
          const Version& v = node.versions[i];
          json& entry = array.emplace_back(stamps_[v.release]);
          entry.get_ref<json::object_t&>().emplace("value", *v.value);
        }
        return true;
      }
      case Node::Kind::kObject: {
        out = json::object();
        auto& object = out.get_ref<json::object_t&>();
        for (const Member& m : node.members) {
          json v;
          if (Write(*m.node, v)) object.emplace(m.key, std::move(v));
        }
        return !object.empty();
      }
      case Node::Kind::kArray: {
        out = json::array();
        auto& array = out.get_ref<json::array_t&>();
        array.reserve(node.elements.size());
        for (const Element& e : node.elements) {
          json v;
          if (!Write(*e.node, v)) {
            if (e.id == nullptr) continue;
            v = json::object();
          }
          if (e.id) v.get_ref<json::object_t&>().emplace("id", *e.id);
          array.push_back(std::move(v));
        }
        return !array.empty();
      }
    }
    return false;
  }

 private:
  std::vector<json> stamps_;
};

// The same results as JSON text, written straight from the tree: byte for byte what
// dump() gives of the DOM results (members are already in std::map's key order; values are
// written by nlohmann's own serializer), without building the DOM.
class TextWriter {
 public:
  // A field written beside the members of an object: release metadata, an element's id.
  struct Extra {
    std::string_view key;
    const json* value;
  };

  TextWriter(std::string& out, bool versioned, const std::vector<SortedRelease>& releases)
      : out_(out),
        versioned_(versioned),
        serializer_(nlohmann::detail::output_adapter<char, std::string>(out), ' ',
                    json::error_handler_t::strict) {
    if (!versioned_) return;
    // Each versioned value opens with the text of its release's stamp.
    for (const SortedRelease& r : releases) {
      const json& release = *r.release;
      const auto tag = release.find("tag");
      std::string& stamp = stamps_.emplace_back();
      out_.swap(stamp);
      out_ += "{\"releaseDate\":";
      Value(release["date"]);
      out_ += ",\"releaseID\":";
      Value(release["id"]);
      out_ += ",\"releaseTag\":";
      Value(tag != release.end() ? *tag : kNull);
      out_ += ",\"value\":";
      out_.swap(stamp);
    }
  }

  // Writes an object node with `extras` (sorted by key) among its members. Returns false,
  // having written nothing, if the object would be empty in the compiled release.
  bool Object(const Node& node, std::span<const Extra> extras) {
    if (!versioned_ && !node.present) return false;
    const size_t start = out_.size();
    out_ += '{';
    bool first = true;
    size_t x = 0;
    auto extra = [&](const Extra& e) {
      if (!first) out_ += ',';
      first = false;
      Key(e.key);
      Value(*e.value);
    };
    for (const Member& m : node.members) {
      while (x < extras.size() && extras[x].key < std::string_view(m.key)) extra(extras[x++]);
      const size_t mark = out_.size();
      if (!first) out_ += ',';
      Key(m.key);
      if (Write(*m.node)) {
        first = false;
      } else {
        out_.resize(mark);
      }
    }
    while (x < extras.size()) extra(extras[x++]);
    if (first) {
      out_.resize(start);
      return false;
    }
    out_ += '}';
    return true;
  }

 private:
  bool Write(const Node& node) {
    switch (node.kind) {
      case Node::Kind::kLeaf:
        return versioned_ ? Versions(node) : LastValue(node);
      case Node::Kind::kObject:
        return Object(node, {});
      case Node::Kind::kArray:
        return Array(node);
    }
    return false;
  }

  bool LastValue(const Node& leaf) {
    const json& value = *leaf.versions.back().value;
    if (value.is_null()) return false;
    Value(value);
    return true;
  }

  bool Versions(const Node& leaf) {
    out_ += '[';
    for (size_t i = 0; i < leaf.versions.size(); ++i) {
      const Version& v = leaf.versions[i];
      if (i > 0) out_ += ',';
      out_ += stamps_[v.release];
      Value(*v.value);
      out_ += '}';
    }
    out_ += ']';
    return true;
  }

  bool Array(const Node& node) {
    if (!versioned_ && !node.present) return false;
    const size_t start = out_.size();
    out_ += '[';
    bool first = true;
    for (const Element& e : node.elements) {
      if (!versioned_ && !e.node->present) continue;
      const size_t mark = out_.size();
      if (!first) out_ += ',';
      const Extra id[] = {{"id", e.id}};
      if (Object(*e.node, e.id ? std::span<const Extra>(id) : std::span<const Extra>())) {
        first = false;
      } else {
        out_.resize(mark);
      }
    }
    if (first) {
      out_.resize(start);
      return false;
    }
    out_ += ']';
    return true;
  }

  // Strings of printable ASCII (most of them) are written as they are, which is what the
  // serializer would write; the others go through it (escapes, UTF-8 checks).
  void Value(const json& v) {
    if (const auto* text = v.get_ptr<const std::string*>(); text && IsPlain(*text)) {
      out_ += '"';
      out_ += *text;
      out_ += '"';
      return;
    }
    serializer_.dump(v, false, false, 0);
  }

  static bool IsPlain(const std::string& text) {
    for (const char c : text) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u >= 0x80 || c == '"' || c == '\\') return false;
    }
    return true;
  }

  // A key as nlohmann escapes strings (ensure_ascii off), then the colon.
  void Key(std::string_view key) {
    out_ += '"';
    for (const char c : key) {
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\b':
          out_ += "\\b";
          break;
        case '\f':
          out_ += "\\f";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            static const char kHex[] = "0123456789abcdef";
            out_ += "\\u00";
            out_ += kHex[(c >> 4) & 0xF];
            out_ += kHex[c & 0xF];
          } else {
            out_ += c;
          }
      }
    }
    out_ += "\":";
  }

  std::string& out_;
  const bool versioned_;
  nlohmann::detail::serializer<json> serializer_;
  std::vector<std::string> stamps_;
};

json CompiledRelease(const Folder& folder, const std::vector<SortedRelease>& sorted) {
  json out;
  if (!WriteCompiled(folder.root(), out)) out = json::object();
  const json& latest = *sorted.back().release;
  const std::string& date = latest["date"].get_ref<const std::string&>();
  const std::string& ocid = latest["ocid"].get_ref<const std::string&>();
  out["ocid"] = ocid;
  out["id"] = ocid + "-" + date;
  out["date"] = date;
  out["tag"] = json::array({"compiled"});
  return out;
}

Result<json> VersionedRelease(const Folder& folder, const std::vector<SortedRelease>& sorted) {
  if (const Node* conflict = folder.conflict()) {
    std::string path;
    PathTo(folder.root(), conflict, path);
    const SortedRelease& r = sorted[folder.conflict_release()];
    return Bad(*r.release, r.index, path,
               path +
                   ": a value in one release, an object or array of objects in another: "
                   "its versions cannot be merged");
  }
  json out;
  if (!VersionedWriter(sorted).Write(folder.root(), out)) out = json::object();
  out["ocid"] = (*sorted.front().release)["ocid"];
  return out;
}

void Fold(const std::vector<SortedRelease>& sorted, Folder& folder) {
  for (uint32_t pos = 0; pos < sorted.size(); ++pos) folder.Add(*sorted[pos].release, pos);
}

}  // namespace

Result<Merger> Merger::FromSchema(const json& release_schema) {
  auto table = RuleBuilder(release_schema).Build();
  if (!table.ok()) return table.status();
  return Merger(std::make_shared<const std::vector<RuleNode>>(std::move(*table)));
}

Result<Merger> Merger::FromSchemaFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open the release schema " + path.string());
  json schema = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (schema.is_discarded()) {
    return Status::InvalidArgument("the release schema " + path.string() + " is not JSON");
  }
  return FromSchema(schema);
}

Result<json> Merger::Compile(std::span<const json> releases) const {
  auto sorted = CheckAndSort(releases);
  if (!sorted.ok()) return sorted.status();
  Folder folder(*rules_, /*history=*/false);
  Fold(*sorted, folder);
  return CompiledRelease(folder, *sorted);
}

Result<json> Merger::Versioned(std::span<const json> releases) const {
  auto sorted = CheckAndSort(releases);
  if (!sorted.ok()) return sorted.status();
  Folder folder(*rules_, /*history=*/true);
  Fold(*sorted, folder);
  return VersionedRelease(folder, *sorted);
}

Result<MergedRecord> Merger::Merge(std::span<const json> releases) const {
  auto sorted = CheckAndSort(releases);
  if (!sorted.ok()) return sorted.status();
  Folder folder(*rules_, /*history=*/true);
  Fold(*sorted, folder);
  auto versioned = VersionedRelease(folder, *sorted);
  if (!versioned.ok()) return versioned.status();
  return MergedRecord{CompiledRelease(folder, *sorted), std::move(*versioned)};
}

Result<MergedRecordText> Merger::MergeToText(std::span<const json> releases) const {
  auto sorted = CheckAndSort(releases);
  if (!sorted.ok()) return sorted.status();
  Folder folder(*rules_, /*history=*/true);
  Fold(*sorted, folder);
  if (folder.conflict() != nullptr) return VersionedRelease(folder, *sorted).status();

  const json& first = *sorted->front().release;
  const json& latest = *sorted->back().release;
  const std::string& date = latest["date"].get_ref<const std::string&>();
  const json id = latest["ocid"].get_ref<const std::string&>() + "-" + date;
  static const json kCompiledTag = json::array({"compiled"});
  MergedRecordText text;
  try {
    const TextWriter::Extra compiled_meta[] = {
        {"date", &latest["date"]}, {"id", &id}, {"ocid", &latest["ocid"]}, {"tag", &kCompiledTag}};
    if (!TextWriter(text.compiled, false, *sorted).Object(folder.root(), compiled_meta)) {
      text.compiled = "{}";
    }
    const TextWriter::Extra versioned_meta[] = {{"ocid", &first["ocid"]}};
    if (!TextWriter(text.versioned, true, *sorted).Object(folder.root(), versioned_meta)) {
      text.versioned = "{}";
    }
  } catch (const json::exception& e) {
    // Only a string that is not UTF-8 (a DOM built by hand, never one parsed from text).
    return Status::InvalidArgument(std::string("cannot write the merged releases: ") + e.what());
  }
  return text;
}

std::vector<PathRule> Merger::Rules() const {
  std::vector<PathRule> out;
  const std::vector<RuleNode>& table = *rules_;
  auto walk = [&](auto&& self, const RuleNode& node, const std::string& path) -> void {
    for (const auto& [name, index] : node.children) {
      const RuleNode& child = table[index];
      std::string child_path = path;
      if (!child_path.empty()) child_path += '/';
      child_path += name;
      out.push_back({child_path, child.rule, child.version_id});
      self(self, child, child_path);
    }
  };
  walk(walk, table.front(), "");
  return out;
}

}  // namespace limpide::formats::ocds

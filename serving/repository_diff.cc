#include "serving/repository_diff.h"

#include <map>
#include <string>
#include <utility>

namespace s3ml::serving {
namespace {

using Key = std::pair<std::string, int64_t>;

std::map<Key, const ServableVersion*> Index(const RepositoryScan& scan) {
  std::map<Key, const ServableVersion*> index;
  for (const ServableVersion& servable : scan.servables) index[{servable.model, servable.version}] = &servable;
  return index;
}

}  // namespace

RepositoryDiff DiffRepositoryScans(const RepositoryScan& before, const RepositoryScan& after) {
  const auto old_index = Index(before);
  const auto new_index = Index(after);
  RepositoryDiff diff;
  for (const auto& [key, servable] : old_index) {
    auto it = new_index.find(key);
    if (it == new_index.end() || !(*it->second == *servable)) diff.removed.push_back(*servable);
  }
  for (const auto& [key, servable] : new_index) {
    auto it = old_index.find(key);
    if (it == old_index.end() || !(*it->second == *servable)) diff.added.push_back(*servable);
  }
  return diff;
}

}  // namespace s3ml::serving

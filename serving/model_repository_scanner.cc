#include "serving/model_repository_scanner.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <system_error>

#include "core/file.h"

namespace s3ml::serving {
namespace {

namespace fs = std::filesystem;

// Resolves `path` (following every symlink) and checks the result lies inside `root` (itself
// canonical). nullopt when it does not exist or escapes.
std::optional<fs::path> ResolveInside(const fs::path& root, const fs::path& path, std::string* why) {
  std::error_code ec;
  fs::path resolved = fs::canonical(path, ec);
  if (ec) {
    *why = "does not exist or cannot be resolved";
    return std::nullopt;
  }
  auto [root_end, unused] = std::mismatch(root.begin(), root.end(), resolved.begin(), resolved.end());
  if (root_end != root.end()) {
    *why = "resolves outside the repository root";
    return std::nullopt;
  }
  return resolved;
}

// Directory entries' names, sorted; an unreadable directory gives an empty list plus a problem.
std::vector<std::string> ListNames(const fs::path& dir, const std::string& relative,
                                   std::vector<ScanProblem>* problems) {
  std::vector<std::string> names;
  std::error_code ec;
  fs::directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) names.push_back(it->path().filename().string());
  if (ec) problems->push_back({relative, "cannot be listed: " + ec.message()});
  std::sort(names.begin(), names.end());
  return names;
}

// Canonical decimal: digits only, no leading zero (so "01" and "1" cannot both exist), < 10^18.
std::optional<int64_t> ParseVersionName(const std::string& name) {
  if (name.empty() || name.size() > 18 || (name.size() > 1 && name[0] == '0')) return std::nullopt;
  int64_t value = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

bool IsDirectory(const fs::path& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

bool IsRegularFile(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

FileStamp StampOf(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {static_cast<uint64_t>(st.st_size), static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

void ScanModel(const fs::path& root, const std::string& model, RepositoryScan* scan) {
  std::vector<ScanProblem>& problems = scan->problems;
  std::string why;
  std::optional<fs::path> model_dir = ResolveInside(root, root / model, &why);
  if (!model_dir) return problems.push_back({model, why});
  if (!IsDirectory(*model_dir)) return problems.push_back({model, "is not a directory"});

  ModelConfig config;
  const std::string config_relative = model + "/" + std::string(kModelConfigFileName);
  std::error_code ec;
  if (fs::exists(fs::symlink_status(*model_dir / kModelConfigFileName, ec))) {
    std::optional<fs::path> config_path = ResolveInside(root, *model_dir / kModelConfigFileName, &why);
    if (!config_path) return problems.push_back({config_relative, why});
    Result<std::string> text = ReadFileText(config_path->string(), kMaxModelConfigBytes);
    if (!text.ok()) return problems.push_back({config_relative, text.status().message()});
    Result<ModelConfig> parsed = ParseModelConfig(*text);
    if (!parsed.ok()) return problems.push_back({config_relative, parsed.status().message()});
    config = std::move(*parsed);
  }

  std::map<int64_t, ServableVersion> versions;
  for (const std::string& name : ListNames(*model_dir, model, &problems)) {
    const std::string relative = model + "/" + name;
    if (name == kModelConfigFileName) continue;
    std::optional<int64_t> version = ParseVersionName(name);
    if (!version) {
      problems.push_back({relative, "is not a version number"});
      continue;
    }
    std::optional<fs::path> version_dir = ResolveInside(root, *model_dir / name, &why);
    if (!version_dir) {
      problems.push_back({relative, why});
      continue;
    }
    if (!IsDirectory(*version_dir)) {
      problems.push_back({relative, "is not a directory"});
      continue;
    }
    const std::string file_relative = relative + "/" + std::string(kModelFileName);
    std::optional<fs::path> file = ResolveInside(root, *version_dir / kModelFileName, &why);
    if (!file) {
      problems.push_back({file_relative, why});
      continue;
    }
    if (!IsRegularFile(*file)) {
      problems.push_back({file_relative, "is not a regular file"});
      continue;
    }
    ServableVersion servable{model, *version, file->string(), "", config, StampOf(*file), {}};
    if (!config.labels_file.empty()) {
      const std::string labels_relative = relative + "/" + config.labels_file;
      std::optional<fs::path> labels = ResolveInside(root, *version_dir / config.labels_file, &why);
      if (!labels) {
        problems.push_back({labels_relative, "labels file " + why});
        continue;
      }
      if (!IsRegularFile(*labels)) {
        problems.push_back({labels_relative, "labels file is not a regular file"});
        continue;
      }
      servable.labels_path = labels->string();
      servable.labels_stamp = StampOf(*labels);
    }
    versions[*version] = std::move(servable);
  }

  const VersionPolicy& policy = config.version_policy;
  if (policy.kind == VersionPolicy::Kind::kSpecific) {
    for (int64_t wanted : policy.specific) {
      auto it = versions.find(wanted);
      if (it == versions.end()) {
        problems.push_back({model + "/" + std::to_string(wanted),
                            "is named by version_policy but not servable"});
      } else {
        scan->servables.push_back(it->second);
      }
    }
    return;
  }
  int64_t kept = 0;
  std::vector<ServableVersion> latest;
  for (auto it = versions.rbegin(); it != versions.rend() && kept < policy.latest; ++it, ++kept) {
    latest.push_back(it->second);
  }
  scan->servables.insert(scan->servables.end(), latest.rbegin(), latest.rend());
}

}  // namespace

Result<RepositoryScan> ScanModelRepository(const std::string& root_path) {
  std::error_code ec;
  const fs::path root = fs::canonical(root_path, ec);
  if (ec) return NotFound("model repository " + root_path + " does not exist");
  if (!IsDirectory(root)) return InvalidArgument("model repository " + root_path + " is not a directory");
  RepositoryScan scan;
  for (const std::string& model : ListNames(root, ".", &scan.problems)) {
    if (!IsSafeRepositoryName(model)) {
      scan.problems.push_back({model, "is not a plain model name"});
      continue;
    }
    ScanModel(root, model, &scan);
  }
  return scan;
}

}  // namespace s3ml::serving

// A temporary directory for one test, removed with its contents afterwards.
#ifndef S3ML_TESTS_CLIENT_TEMP_DIR_H_
#define S3ML_TESTS_CLIENT_TEMP_DIR_H_

#include <cstdlib>
#include <filesystem>
#include <string>

namespace s3ml::client::testing {

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "s3ml-client-XXXXXX").string();
    char* made = ::mkdtemp(pattern.data());
    path_ = made != nullptr ? made : "";
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace s3ml::client::testing

#endif  // S3ML_TESTS_CLIENT_TEMP_DIR_H_

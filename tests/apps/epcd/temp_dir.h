// A temporary directory for one test, removed with everything in it at the end.
#ifndef S3ML_TESTS_APPS_EPCD_TEMP_DIR_H_
#define S3ML_TESTS_APPS_EPCD_TEMP_DIR_H_

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace s3ml::epcd::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "s3ml-epcd-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data()) ? pattern : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  // Writes `text` to path()/relative, creating parent directories; returns the file's path.
  std::string Write(const std::string& relative, const std::string& text) const {
    const std::filesystem::path file = std::filesystem::path(path_) / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file.string();
  }

 private:
  std::string path_;
};

}  // namespace s3ml::epcd::testing

#endif  // S3ML_TESTS_APPS_EPCD_TEMP_DIR_H_

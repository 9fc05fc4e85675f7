// Helpers of the cluster tests: a short temporary directory (Unix socket paths must fit in 108
// bytes) and tiny TCP servers standing in for model servers and their HAProxy agents.
#ifndef S3ML_TESTS_CLUSTER_CLUSTER_TEST_UTIL_H_
#define S3ML_TESTS_CLUSTER_CLUSTER_TEST_UTIL_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

namespace s3ml::cluster::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A loopback TCP server on a kernel-chosen port: each accepted connection gets `reply(count)`
// written to it (count = connections so far, from 1) and is closed. Stops on destruction.
class TinyTcpServer {
 public:
  explicit TinyTcpServer(std::function<std::string(int)> reply);
  ~TinyTcpServer();
  uint16_t port() const { return port_; }
  int connections() const { return connections_.load(); }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::function<std::string(int)> reply_;
  std::thread thread_;
};

// Connects to 127.0.0.1:port, reads until EOF (up to 2 s) and returns what arrived.
std::string ReadAllFrom(uint16_t port);

}  // namespace s3ml::cluster::testing

#endif  // S3ML_TESTS_CLUSTER_CLUSTER_TEST_UTIL_H_

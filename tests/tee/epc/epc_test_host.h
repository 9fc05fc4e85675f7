// A uniquely named simulated EPC host for one test, removed (shm_unlink) when the test ends.
#ifndef S3ML_TESTS_TEE_EPC_EPC_TEST_HOST_H_
#define S3ML_TESTS_TEE_EPC_EPC_TEST_HOST_H_

#include <unistd.h>

#include <atomic>
#include <string>

#include "tee/epc/epc_host.h"

namespace s3ml::tee::epc {

class TestHost {
 public:
  TestHost() {
    static std::atomic<int> counter{0};
    id_ = "test-" + std::to_string(getpid()) + "-" + std::to_string(counter.fetch_add(1));
  }
  ~TestHost() { (void)EpcHost::Remove(id_); }
  const std::string& id() const { return id_; }
  // Unlinks the segment's name now; attached processes keep using it. Tests with death-test children
  // call this right after attaching: a child that aborts never runs ~TestHost.
  void Unlink() const { (void)EpcHost::Remove(id_); }

  // Options for an attachment with the given capacity and no modelled delay.
  static EpcHostOptions Options(uint64_t capacity_pages, const std::string& name = "test") {
    EpcHostOptions o;
    o.capacity_pages = capacity_pages;
    o.enclave_name = name;
    o.page_delay_cycles = 0;
    return o;
  }

 private:
  std::string id_;
};

}  // namespace s3ml::tee::epc

#endif  // S3ML_TESTS_TEE_EPC_EPC_TEST_HOST_H_

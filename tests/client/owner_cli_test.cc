// The owner's CLI end to end with real processes: a simulated SGX host (`s3ml sim init`, the
// quoting daemon `s3ml sim qe`), the real ECS (`s3ml-ecs serve`, signed with `s3ml sim sign`), and
// `s3ml attest`, `s3ml owner init|audit`, `s3ml manifest set|update|show`, `s3ml model
// encrypt|push` against it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "client/encrypted_model.h"
#include "client/manifest_builder.h"
#include "client/model_key_file.h"
#include "client/owner_keys.h"
#include "core/byte_reader.h"
#include "core/file.h"
#include "tests/client/temp_dir.h"

namespace s3ml::client {
namespace {

using testing::ScratchDir;

const std::string kBin = std::string(S3ML_BINARY_DIR) + "/bin/";

struct CliRun {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

CliRun RunCli(std::vector<std::string> argv) {
  argv.insert(argv.begin(), kBin + "s3ml");
  std::string command;
  for (const auto& a : argv) command += "'" + a + "' ";
  command += "2>&1";
  CliRun r;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) r.out.append(buf, n);
  int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// A background process whose stderr we read until a line matches; SIGTERM at destruction.
class Background {
 public:
  Background(const std::vector<std::string>& argv, const std::vector<std::string>& env = {}) {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], 2);
      ::close(fds[0]);
      ::close(fds[1]);
      for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    fd_ = fds[0];
  }
  ~Background() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    if (fd_ >= 0) ::close(fd_);
  }
  // The first match of `pattern`'s group 1 in stderr within `timeout`, or "".
  std::string WaitFor(const std::regex& pattern, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::smatch m;
    while (std::chrono::steady_clock::now() < deadline) {
      if (std::regex_search(text_, m, pattern)) return m[1];
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) > 0) {
        char buf[1024];
        ssize_t n = ::read(fd_, buf, sizeof(buf));
        if (n <= 0) break;
        text_.append(buf, static_cast<size_t>(n));
      }
    }
    return std::regex_search(text_, m, pattern) ? std::string(m[1]) : "";
  }
  const std::string& text() const { return text_; }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string text_;
};

class OwnerCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new ScratchDir();
    const std::string d = dir_->path();
    ASSERT_EQ(RunCli({"sim", "init", "--dir", d + "/sim"}).exit_code, 0);
    std::filesystem::copy_file(kBin + "s3ml-ecs", d + "/s3ml-ecs");
    std::filesystem::copy_file(kBin + "s3ml-ecs.enclave.json", d + "/s3ml-ecs.enclave.json");
    ASSERT_EQ(RunCli({"sim", "keygen", "--out", d + "/signer.pem"}).exit_code, 0);
    CliRun signed_ecs = RunCli({"sim", "sign", "--key", d + "/signer.pem", "--binary", d + "/s3ml-ecs", "--isvprodid", "1",
                             "--isvsvn", "1"});
    ASSERT_EQ(signed_ecs.exit_code, 0) << signed_ecs.out;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(signed_ecs.out, m, std::regex("mrenclave: +([0-9a-f]{64})")));
    mrenclave_ = new std::string(m[1]);
    ASSERT_TRUE(std::regex_search(signed_ecs.out, m, std::regex("mrsigner: +([0-9a-f]{64})")));
    mrsigner_ = new std::string(m[1]);

    const std::string socket = d + "/sim/qe.sock";
    qe_ = new Background({kBin + "s3ml", "sim", "qe", "--dir", d + "/sim", "--socket", socket});
    for (int i = 0; i < 200 && !std::filesystem::exists(socket); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ecs_ = new Background({d + "/s3ml-ecs", "serve", "--state", d + "/state", "--listen", "127.0.0.1:0", "--platform", "sim",
                           "--collateral", d + "/sim/collateral", "--allow-sim", "--sim-root", d + "/sim/certs/root_ca.pem"},
                          {"S3ML_SIM_QE_SOCKET=" + socket});
    port_ = new std::string(ecs_->WaitFor(std::regex("ecs listening on 127\\.0\\.0\\.1:([0-9]+)"), std::chrono::seconds(20)));
    ASSERT_FALSE(port_->empty()) << ecs_->text();
  }
  static void TearDownTestSuite() {
    delete ecs_;
    delete qe_;
    delete port_;
    delete mrsigner_;
    delete mrenclave_;
    delete dir_;
  }

  static std::vector<std::string> Attest(std::vector<std::string> args, const std::string& mrenclave = *mrenclave_) {
    const std::string d = dir_->path();
    const std::vector<std::string> flags = {"--ecs", "https://127.0.0.1:" + *port_, "--expect-mrenclave", mrenclave,
                                            "--collateral", d + "/sim/collateral", "--allow-sim", "--sim-root",
                                            d + "/sim/certs/root_ca.pem"};
    args.insert(args.end(), flags.begin(), flags.end());
    return args;
  }

  static std::string WriteManifest(const std::string& owner_dir, int64_t version) {
    OwnerKeys keys = LoadOwnerKeys(owner_dir).value();
    ManifestSpec spec;
    spec.version = version;
    spec.owner_public_key_pem = keys.owner_public_key_pem;
    spec.recovery_public_key_pem = keys.recovery_public_key_pem;
    spec.service_names = {"localhost"};
    ManifestIdentity identity;
    identity.name = "model-server";
    identity.policy.allowed_signers.push_back({std::array<uint8_t, 32>{9}, 2, 1});
    identity.policy.allow_simulated = true;
    identity.models = {"mobilenet_v2"};
    spec.identities.push_back(identity);
    const std::string path = owner_dir + "/manifest-v" + std::to_string(version) + ".json";
    std::string json = BuildManifestJson(spec).value();
    EXPECT_TRUE(WriteFileAtomic(path, {reinterpret_cast<const uint8_t*>(json.data()), json.size()}, 0644).ok());
    return path;
  }

  static ScratchDir* dir_;
  static Background* qe_;
  static Background* ecs_;
  static std::string* port_;
  static std::string* mrenclave_;
  static std::string* mrsigner_;
};
ScratchDir* OwnerCliTest::dir_ = nullptr;
Background* OwnerCliTest::qe_ = nullptr;
Background* OwnerCliTest::ecs_ = nullptr;
std::string* OwnerCliTest::port_ = nullptr;
std::string* OwnerCliTest::mrenclave_ = nullptr;
std::string* OwnerCliTest::mrsigner_ = nullptr;

// One test: the steps depend on each other (one ECS, one manifest history).
TEST_F(OwnerCliTest, OwnerAttestsSetsTheManifestPushesAKeyAndReadsTheAudit) {
  const std::string d = dir_->path();
  CliRun attest = RunCli(Attest({"attest", "--out", d + "/root.pem"}));
  ASSERT_EQ(attest.exit_code, 0) << attest.out;
  EXPECT_NE(attest.out.find("none yet"), std::string::npos) << attest.out;
  EXPECT_NE(ReadFileText(d + "/root.pem")->find("BEGIN CERTIFICATE"), std::string::npos);

  CliRun wrong = RunCli(Attest({"attest", "--out", d + "/wrong.pem"}, std::string(64, '0')));
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.out.find("MRENCLAVE"), std::string::npos) << wrong.out;
  EXPECT_FALSE(std::filesystem::exists(d + "/wrong.pem"));

  ASSERT_EQ(RunCli({"owner", "init", "--dir", d + "/owner"}).exit_code, 0);
  const std::string v1 = WriteManifest(d + "/owner", 1);
  const std::string v2 = WriteManifest(d + "/owner", 2);
  CliRun set = RunCli(Attest({"manifest", "set", "--owner-dir", d + "/owner", "--file", v1}));
  ASSERT_EQ(set.exit_code, 0) << set.out;
  CliRun set_again = RunCli(Attest({"manifest", "set", "--owner-dir", d + "/owner", "--file", v2}));
  EXPECT_EQ(set_again.exit_code, 1) << set_again.out;
  CliRun update = RunCli(Attest({"manifest", "update", "--owner-dir", d + "/owner", "--file", v2}));
  ASSERT_EQ(update.exit_code, 0) << update.out;
  CliRun show = RunCli(Attest({"manifest", "show", "--out", d + "/shown.json"}));
  ASSERT_EQ(show.exit_code, 0) << show.out;
  EXPECT_EQ(ReadFileText(d + "/shown.json").value(), ReadFileText(v2).value());

  // Another owner can neither update nor push keys.
  ASSERT_EQ(RunCli({"owner", "init", "--dir", d + "/intruder"}).exit_code, 0);
  const std::string intruder_v3 = WriteManifest(d + "/intruder", 3);
  CliRun hijack = RunCli(Attest({"manifest", "update", "--owner-dir", d + "/intruder", "--file", intruder_v3}));
  EXPECT_EQ(hijack.exit_code, 1);
  EXPECT_NE(hijack.out.find("PermissionDenied"), std::string::npos) << hijack.out;

  const std::string model = d + "/model.tflite";
  ASSERT_TRUE(WriteFileAtomic(model, std::vector<uint8_t>(3000, 0x42)).ok());
  CliRun encrypt = RunCli({"model", "encrypt", "--model", model, "--name", "mobilenet_v2", "--version", "1", "--key-out",
                        d + "/model.key", "--out", d + "/repo"});
  ASSERT_EQ(encrypt.exit_code, 0) << encrypt.out;
  auto sealed = ReadFileBytes(d + "/repo/mobilenet_v2/1/model.tflite.s3ml");
  ASSERT_TRUE(sealed.ok());
  auto key = ReadModelKeyFile(d + "/model.key");
  ASSERT_TRUE(key.ok());
  auto plain = DecryptModel(key->span(), "mobilenet_v2", 1, *sealed);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_TRUE(plain->Equals(std::vector<uint8_t>(3000, 0x42)));

  // --labels seals the labels beside the version under the same key and names them in the
  // model's config.json, keeping what an existing config says.
  const std::string labels = d + "/labels.txt";
  ASSERT_TRUE(WriteFileAtomic(labels, std::vector<uint8_t>{'c', 'a', 't', '\n'}).ok());
  ASSERT_TRUE(WriteFileAtomic(d + "/repo/mobilenet_v2/config.json", AsBytes(R"({"version_policy": {"latest": 2}})")).ok());
  CliRun with_labels = RunCli({"model", "encrypt", "--model", model, "--name", "mobilenet_v2", "--version", "2", "--key",
                               d + "/model.key", "--out", d + "/repo", "--labels", labels});
  ASSERT_EQ(with_labels.exit_code, 0) << with_labels.out;
  auto sealed_labels = ReadFileBytes(d + "/repo/mobilenet_v2/2/labels.txt.s3ml");
  ASSERT_TRUE(sealed_labels.ok());
  auto opened = DecryptLabels(key->span(), "mobilenet_v2", 2, *sealed_labels);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, "cat\n");
  const auto config = nlohmann::json::parse(ReadFileText(d + "/repo/mobilenet_v2/config.json").value());
  EXPECT_EQ(config, nlohmann::json::parse(R"({"labels": "labels.txt.s3ml", "version_policy": {"latest": 2}})"));
  // Labels that do not match a real model's classes are sealed, with a warning.
  CliRun mismatch = RunCli({"model", "encrypt", "--model",
                            std::string(S3ML_TESTDATA_DIR) + "/models/coral/mobilenet_v1_0.25_128_quant.tflite", "--name",
                            "mobilenet_v2", "--version", "3", "--key", d + "/model.key", "--out", d + "/repo", "--labels",
                            labels});
  ASSERT_EQ(mismatch.exit_code, 0) << mismatch.out;
  EXPECT_NE(mismatch.out.find("warning: 1 labels for the 1001 classes"), std::string::npos) << mismatch.out;
  EXPECT_EQ(with_labels.out.find("warning"), std::string::npos) << with_labels.out;

  CliRun push = RunCli(Attest({"model", "push", "--owner-dir", d + "/owner", "--name", "mobilenet_v2", "--key", d + "/model.key"}));
  ASSERT_EQ(push.exit_code, 0) << push.out;
  CliRun intruder_push =
      RunCli(Attest({"model", "push", "--owner-dir", d + "/intruder", "--name", "mobilenet_v2", "--key", d + "/model.key"}));
  EXPECT_EQ(intruder_push.exit_code, 1) << intruder_push.out;
  CliRun unlisted = RunCli(Attest({"model", "push", "--owner-dir", d + "/owner", "--name", "other", "--key", d + "/model.key"}));
  EXPECT_EQ(unlisted.exit_code, 1);
  EXPECT_NE(unlisted.out.find("404"), std::string::npos) << unlisted.out;

  CliRun audit = RunCli(Attest({"owner", "audit", "--owner-dir", d + "/owner"}));
  ASSERT_EQ(audit.exit_code, 0) << audit.out;
  EXPECT_NE(audit.out.find("manifest_set"), std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find("manifest_update"), std::string::npos);
  EXPECT_NE(audit.out.find("model_key_set"), std::string::npos);
  EXPECT_NE(audit.out.find("hash chain verified"), std::string::npos);
}

}  // namespace
}  // namespace s3ml::client

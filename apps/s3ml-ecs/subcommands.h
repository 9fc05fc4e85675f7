// The subcommands of s3ml-ecs: `serve` (the HTTPS API until SIGTERM/SIGINT) and `recover` (restore
// the state on a new host with the owner's recovery key). Each returns the process exit code and
// prints failures to stderr.
#ifndef S3ML_APPS_S3ML_ECS_SUBCOMMANDS_H_
#define S3ML_APPS_S3ML_ECS_SUBCOMMANDS_H_

#include <CLI/CLI.hpp>
#include <string>

namespace s3ml::ecs_app {

struct ServeOptions {
  std::string state_dir;
  std::string listen = "127.0.0.1:7443";
  std::string platform = "sim";
  std::string collateral_dir;
  std::string pccs_url;
  std::string pccs_ca;
  bool allow_sim = false;
  std::string sim_root;
  int io_threads = 2;
};

struct RecoverOptions {
  std::string state_dir;
  std::string recovery_key;
  std::string platform = "sim";
};

void AddServe(CLI::App& app, ServeOptions& options);
void AddRecover(CLI::App& app, RecoverOptions& options);
int Serve(const ServeOptions& options);
int Recover(const RecoverOptions& options);

}  // namespace s3ml::ecs_app

#endif  // S3ML_APPS_S3ML_ECS_SUBCOMMANDS_H_

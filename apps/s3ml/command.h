// Subcommands of the `s3ml` CLI register themselves here, one file each:
//
//   namespace { void Setup(CLI::App& app) { auto* cmd = app.add_subcommand("infer", "..."); ... } }
//   static const s3ml::cli::CommandRegistrar kRegistrar(&Setup);
//
// A command reports failure by throwing CommandFailed with the exit code and a message; main prints
// the message to stderr and exits with the code.
#ifndef S3ML_APPS_S3ML_COMMAND_H_
#define S3ML_APPS_S3ML_COMMAND_H_

#include <CLI/CLI.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/status.h"

namespace s3ml::cli {

using CommandSetup = void (*)(CLI::App& app);

std::vector<CommandSetup>& RegisteredCommands();

struct CommandRegistrar {
  explicit CommandRegistrar(CommandSetup setup) { RegisteredCommands().push_back(setup); }
};

class CommandFailed : public std::runtime_error {
 public:
  CommandFailed(int exit_code, const std::string& message) : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

// Throws CommandFailed(1, context + ": " + status) when status is not ok.
void CheckOk(const Status& status, const std::string& context = "");

template <typename T>
T ValueOrFail(Result<T> result, const std::string& context = "") {
  CheckOk(result.status(), context);
  return std::move(result).value();
}

}  // namespace s3ml::cli

#endif  // S3ML_APPS_S3ML_COMMAND_H_

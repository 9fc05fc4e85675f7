#include "apps/s3ml/command.h"

namespace s3ml::cli {

std::vector<CommandSetup>& RegisteredCommands() {
  static std::vector<CommandSetup> commands;
  return commands;
}

void CheckOk(const Status& status, const std::string& context) {
  if (status.ok()) return;
  throw CommandFailed(1, context.empty() ? status.ToString() : context + ": " + status.ToString());
}

}  // namespace s3ml::cli

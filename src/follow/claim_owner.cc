#include "follow/claim_owner.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string_view>

namespace namix {
namespace {

std::string boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id.empty() ? "unknown-boot" : id;
}

// Field 22 of /proc/PID/stat: when the process started, in clock ticks
// since boot. Together with the pid it names one process for good; "" when
// there is no such process.
std::string start_ticks(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  // The command name (field 2) is in parentheses and may hold spaces.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 22) return field;
  }
  return "";
}

}  // namespace

std::string this_claim_owner() {
  const long pid = static_cast<long>(::getpid());
  return boot_id() + "/" + std::to_string(pid) + "/" + start_ticks(pid);
}

bool claim_owner_is_gone(const std::string& owner) {
  const auto first = owner.find('/');
  const auto second = owner.find('/', first == std::string::npos ? 0 : first + 1);
  if (first == std::string::npos || second == std::string::npos) return false;
  if (std::string_view(owner).substr(0, first) != boot_id()) return false;
  const std::string pid_text = owner.substr(first + 1, second - first - 1);
  if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  const std::string started = start_ticks(std::stol(pid_text));
  return started.empty() || started != owner.substr(second + 1);
}

}  // namespace namix

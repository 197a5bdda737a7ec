// Who holds a claim on a mix, in a form another process can judge: the
// kernel's boot id, the process id and the process's start time. A claim
// whose owner ran on this machine (same boot id) and is gone (no such
// process, or a different one under the same pid) can be taken over at
// once; on another machine (another Lambda sandbox) only its lease says.
#pragma once

#include <string>

namespace namix {

// "BOOT_ID/PID/START_TICKS" of this process.
std::string this_claim_owner();

// True when `owner` names a process of this machine that is no longer
// running. False for this process, for a live one, and for any owner on
// another machine (a different boot id) or not in the above form.
bool claim_owner_is_gone(const std::string& owner);

}  // namespace namix

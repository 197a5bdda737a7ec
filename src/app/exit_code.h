#pragma once

#include "app/command.h"
#include "core/error.h"

namespace namix {

int exit_code_for(Errc code);
// Prints "namix: <message>" on one line to stderr and returns the exit code.
int report_error(const Error& error);

}  // namespace namix

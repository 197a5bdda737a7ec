// Asynchronous Lambda invocation (Invoke API, InvocationType Event), signed
// with our SigV4 signer: how POST /mix/jobs on Lambda hands a long mix to a
// second invocation of the same function instead of blocking API Gateway's
// 30 s window.
#pragma once

#include <string>

#include "core/error.h"
#include "store/sigv4.h"

namespace namix {

struct LambdaInvokeConfig {
  AwsCredentials credentials;
  std::string region = "us-east-1";
  // "" = https://lambda.REGION.amazonaws.com; tests point it at an emulator.
  std::string endpoint;
  int max_attempts = 3;

  // AWS_* credentials (Lambda sets them, session token included), AWS_REGION,
  // endpoint from NAMIX_LAMBDA_ENDPOINT.
  static Result<LambdaInvokeConfig> from_environment();
};

// The job payload the function runs when invoked this way: {"namix_job": job}.
// Lambda answers 202 once the event is queued; unavailable on 5xx/throttling
// after retries, forbidden when the role may not invoke the function.
Result<void> invoke_lambda_async(const LambdaInvokeConfig& config, const std::string& function_name,
                                 const std::string& payload_json);

// Inside Lambda (AWS_LAMBDA_RUNTIME_API is set).
bool running_on_lambda();

// POST /mix/jobs on Lambda: the job record is already in storage; this
// queues an asynchronous invocation of this same function
// (AWS_LAMBDA_FUNCTION_NAME) with {"namix_job": {"job_id": ID}}, which the
// runtime loop hands to its LambdaJobHandler.
Result<void> hand_off_job_to_lambda(const std::string& job_id);

}  // namespace namix

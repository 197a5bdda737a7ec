#include "net/mix_service.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <set>
#include <string>
#include <system_error>

#include "core/scoped_temp_file.h"
#include "net/http_error.h"

namespace namix {
namespace {

// Where a handed-off job's upload waits for the invocation that mixes it: an
// asynchronous Invoke payload is capped at 256 KB.
std::string upload_key_for(const std::string& job_id) { return "temp/uploads/" + job_id; }

Result<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::io_error, "cannot read the upload back from the server's disk");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad())
    return make_error(Errc::io_error, "cannot read the upload back from the server's disk");
  return bytes;
}

std::int64_t unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

void mark_failed(JobRecord& r, const Error& error, const std::string& session_id) {
  r.state = JobState::failed;
  r.stage = "failed";
  r.error = error_json(error, session_id);
}

}  // namespace

MixService::MixService(ServiceOptions options, Storage& storage, const ThemeCatalog& themes,
                       MixRunner runner, Metrics& metrics)
    : options_(std::move(options)),
      storage_(storage),
      themes_(themes),
      metrics_(metrics),
      executor_(scratch_dir(), options_.fetch, options_.link_ttl, storage, std::move(runner),
                metrics),
      jobs_(storage),
      pool_(std::make_unique<WorkerPool>(options_.workers, options_.max_queued)) {
  // Downloads and uploads a crashed process left behind are of no use.
  std::error_code ec;
  std::filesystem::remove_all(scratch_dir(), ec);
  std::filesystem::create_directories(scratch_dir(), ec);
  metrics_.set_gauges([this] {
    return std::map<std::string, double>{
        {"namix_mixes_queued", static_cast<double>(pool_->queued())},
        {"namix_mixes_running", static_cast<double>(pool_->running())},
        {"namix_mix_workers", static_cast<double>(pool_->workers())},
        {"namix_draining", draining_.load() ? 1.0 : 0.0}};
  });
}

MixService::~MixService() {
  metrics_.set_gauges(nullptr);
  pool_.reset();  // drains: running mixes finish while the members still exist
}

Result<std::size_t> MixService::recover_jobs() {
  // A mix is stored as its MP3, then its result JSON (mix_execution.cc).
  auto listed = storage_.list("mixes/");
  if (!listed) return listed.error();
  std::set<std::string> keys;
  for (const ObjectInfo& info : *listed) keys.insert(info.key);
  for (const std::string& key : keys) {
    if (!key.ends_with(".mp3") || keys.count(key.substr(0, key.size() - 4) + ".json")) continue;
    NAMIX_TRY(storage_.remove(key));
  }
  // Expired records first: failing them would write them again.
  NAMIX_TRY(expire_job_records());
  return jobs_.fail_unfinished(
      "the server restarted before this job finished; submit the mix again");
}

Result<std::size_t> MixService::expire_job_records() {
  const auto now = std::chrono::system_clock::now();
  next_job_expiry_unix_.store(unix_seconds(now) + options_.job_expiry_interval.count());
  return jobs_.expire(options_.job_record_ttl, now);
}

void MixService::expire_job_records_if_due() {
  const auto now = std::chrono::system_clock::now();
  const std::int64_t next_unix = unix_seconds(now) + options_.job_expiry_interval.count();
  std::int64_t due_unix = next_job_expiry_unix_.load();
  // One worker sweeps; the others find the next time already moved on.
  if (unix_seconds(now) < due_unix ||
      !next_job_expiry_unix_.compare_exchange_strong(due_unix, next_unix))
    return;
  auto expired = jobs_.expire(options_.job_record_ttl, now);
  if (expired) return;
  const nlohmann::json line = {{"ts", iso8601_now()},
                               {"level", "warn"},
                               {"msg", "expired job records not removed"},
                               {"error", expired.error().message}};
  std::fprintf(stderr, "%s\n", line.dump().c_str());
}

void MixService::drain() {
  begin_drain();
  pool_->drain();
}

ServiceLoad MixService::load() const {
  return {pool_->workers(), pool_->running(), pool_->queued(), pool_->capacity()};
}

int MixService::retry_after_busy_s() const {
  const double waiting = static_cast<double>(pool_->queued() + pool_->running());
  const double s = executor_.mean_mix_s() * waiting / static_cast<double>(pool_->workers());
  return std::clamp(static_cast<int>(std::ceil(s)), 1, 300);
}

Error MixService::refusal() const {
  return make_error(Errc::unavailable,
                    draining_.load() ? "the server is shutting down; retry in a moment"
                                     : "all mixers are busy and the queue is full; retry later");
}

ServiceAnswer<nlohmann::json> MixService::mix_now(MixOrder order, std::string mix_id) {
  auto shared = std::make_shared<MixOrder>(std::move(order));
  auto promise = std::make_shared<std::promise<Result<nlohmann::json>>>();
  auto future = promise->get_future();
  if (mix_id.empty()) mix_id = new_mix_id();
  const bool queued = pool_->try_submit([this, shared, promise, mix_id](bool cancelled) {
    if (cancelled) {
      promise->set_value(
          make_error(Errc::unavailable, "the server shut down before the mix started; retry"));
      return;
    }
    promise->set_value(executor_.execute(mix_id, *shared, nullptr));
  });
  if (!queued) return {refusal(), retry_after_busy_s()};
  return {future.get()};
}

ServiceAnswer<std::string> MixService::start_job(MixOrder order) {
  JobRecord record;
  record.job_id = new_mix_id();
  record.state = JobState::queued;
  record.stage = "queued";
  record.created_at = record.updated_at = iso8601_now();
  record.session_id = order.session_id;
  record.theme = order.theme->name;
  record.source = order.source();
  if (options_.hand_off_job) return hand_off(std::move(order), std::move(record));
  const std::string job_id = record.job_id;
  NAMIX_TRY(jobs_.create(record));
  auto shared = std::make_shared<MixOrder>(std::move(order));
  const bool queued = pool_->try_submit([this, shared, job_id](bool cancelled) {
    if (cancelled) {
      jobs_.update(
          job_id,
          [&](JobRecord& r) {
            mark_failed(r,
                        make_error(Errc::unavailable,
                                   "the server shut down before the job started; submit it again"),
                        shared->session_id);
          },
          true);
      return;
    }
    run_order(job_id, *shared);
    expire_job_records_if_due();
  });
  if (!queued) {
    jobs_.update(
        job_id,
        [](JobRecord& r) {
          mark_failed(r, make_error(Errc::unavailable, "the queue was full"), "");
          r.stage = "rejected";
        },
        false);
    (void)storage_.remove(JobStore::key_for(job_id));
    return {refusal(), retry_after_busy_s()};
  }
  return {job_id};
}

ServiceAnswer<std::string> MixService::hand_off(MixOrder order, JobRecord record) {
  const std::string job_id = record.job_id;
  const bool uploaded = order.episode_url.empty();
  if (uploaded) {
    auto bytes = read_whole_file(order.upload->path());
    if (!bytes) return {bytes.error()};
    NAMIX_TRY(storage_.put(upload_key_for(job_id),
                           {reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size()},
                           "application/octet-stream"));
    order.upload_key = upload_key_for(job_id);
    order.upload.reset();  // in storage now; the local copy is of no further use
  }
  record.order = order.to_json();
  auto stored = jobs_.store(record);
  if (!stored) {
    if (uploaded) (void)storage_.remove(upload_key_for(job_id));
    return {stored.error()};
  }
  auto handed = options_.hand_off_job(job_id);
  if (!handed) {
    const Error refused =
        make_error(Errc::unavailable, "could not start the job (" + handed.error().message +
                                          "); submit it again in a moment");
    mark_failed(record, refused, order.session_id);
    record.updated_at = iso8601_now();
    (void)jobs_.store(record);
    if (uploaded) (void)storage_.remove(upload_key_for(job_id));
    return {refused, 5};
  }
  return {job_id};
}

void MixService::run_order(const std::string& job_id, MixOrder& order) {
  jobs_.update(
      job_id,
      [](JobRecord& r) {
        r.state = JobState::running;
        r.stage = "fetch";
      },
      true);
  // The record just stored says "fetch": the executor's first report of
  // that stage is no change, and is not written again.
  std::string last_stage = "fetch";
  auto result = executor_.execute(job_id, order, [&](std::string_view stage, double fraction) {
    const bool changed = stage != last_stage;
    last_stage = std::string(stage);
    jobs_.update(
        job_id,
        [&](JobRecord& r) {
          r.stage = std::string(stage);
          r.progress = std::max(r.progress, std::clamp(fraction, 0.0, 0.99));
        },
        changed);
  });
  if (!result) {
    jobs_.update(
        job_id, [&](JobRecord& r) { mark_failed(r, result.error(), order.session_id); }, true);
    return;
  }
  jobs_.update(
      job_id,
      [&](JobRecord& r) {
        r.state = JobState::done;
        r.stage = "done";
        r.progress = 1.0;
        r.result = *result;
      },
      true);
}

Result<nlohmann::json> MixService::job_status(const std::string& job_id) {
  if (!is_valid_job_id(job_id))
    return make_error(Errc::not_found, "no job '" + job_id.substr(0, 80) + "'");
  auto record = jobs_.find(job_id);
  if (!record) return record.error();
  nlohmann::json shown = record->to_json();
  shown.erase("order");  // internal: where the upload waits, for run_job()
  return shown;
}

Result<void> MixService::run_job(const std::string& job_id) {
  if (!is_valid_job_id(job_id))
    return make_error(Errc::invalid_argument, "not a job id: '" + job_id.substr(0, 80) + "'");
  auto record = jobs_.find(job_id);
  if (!record) return record.error();
  const bool uploaded = record->order.is_object() && record->order.contains("upload_key");
  const auto remove_upload = [&] {
    if (uploaded) (void)storage_.remove(upload_key_for(job_id));
  };
  const auto finish_failed = [&](const Error& e) -> Result<void> {
    mark_failed(*record, e, record->session_id);
    record->updated_at = iso8601_now();
    NAMIX_TRY(jobs_.store(*record));
    remove_upload();
    return {};
  };
  // Asynchronous invocations arrive at least once, and Lambda retries one
  // that failed or timed out: only a queued job is run.
  if (record->state == JobState::done || record->state == JobState::failed) return {};
  if (record->state == JobState::running) {
    return finish_failed(make_error(
        Errc::unavailable,
        "the mix stopped before it finished (the function may have timed out); submit it again"));
  }
  auto order = MixOrder::from_json(record->order, themes_, options_.limits);
  if (!order) return finish_failed(order.error());
  if (!order->upload_key.empty()) {
    auto bytes = storage_.get(order->upload_key);
    if (!bytes) return finish_failed(bytes.error());
    auto temp = ScopedTempFile::create(scratch_dir(), "upload");
    if (!temp) return finish_failed(temp.error());
    auto written =
        temp->write({reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size()});
    if (!written) return finish_failed(written.error());
    order->upload = std::make_shared<ScopedTempFile>(std::move(*temp));
  }
  record->state = JobState::running;
  record->stage = "fetch";
  record->updated_at = iso8601_now();
  NAMIX_TRY(jobs_.create(*record));  // live from here: run_order's changes write through
  run_order(job_id, *order);
  remove_upload();
  return {};
}

}  // namespace namix

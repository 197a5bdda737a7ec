#include "net/jobs.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>
#include <string_view>

#include "net/http_error.h"

namespace namix {

WorkerPool::WorkerPool(std::size_t workers, std::size_t max_queued) : max_queued_(max_queued) {
  for (std::size_t i = 0; i < std::max<std::size_t>(1, workers); ++i) {
    threads_.emplace_back([this] { work(); });
  }
}

WorkerPool::~WorkerPool() {
  drain();
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

bool WorkerPool::try_submit(Task task) {
  {
    std::lock_guard lock(mutex_);
    // Tasks in the queue that an idle worker is about to take are not waiting.
    const std::size_t idle = threads_.size() - std::min(threads_.size(), running_);
    if (stopping_ || queue_.size() >= max_queued_ + idle) return false;
    queue_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

void WorkerPool::drain() {
  std::deque<Task> dropped;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    dropped.swap(queue_);
  }
  for (auto& task : dropped) task(true);
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [&] { return running_ == 0; });
}

void WorkerPool::wait_until_idle() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [&] { return queue_.empty() && running_ == 0; });
}

std::size_t WorkerPool::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::size_t WorkerPool::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

void WorkerPool::work() {
  for (;;) {
    Task task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and nothing left
      task = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    task(false);
    {
      std::lock_guard lock(mutex_);
      --running_;
    }
    idle_.notify_all();
  }
}

const char* job_state_name(JobState s) {
  switch (s) {
    case JobState::queued:
      return "queued";
    case JobState::running:
      return "running";
    case JobState::done:
      return "done";
    case JobState::failed:
      return "failed";
  }
  return "failed";
}

std::optional<JobState> job_state_from_name(const std::string& name) {
  for (JobState s : {JobState::queued, JobState::running, JobState::done, JobState::failed}) {
    if (name == job_state_name(s)) return s;
  }
  return std::nullopt;
}

nlohmann::json JobRecord::to_json() const {
  nlohmann::json j = {{"job_id", job_id},         {"state", job_state_name(state)},
                      {"progress", progress},     {"stage", stage},
                      {"created_at", created_at}, {"updated_at", updated_at},
                      {"session_id", session_id}, {"theme", theme},
                      {"source", source}};
  if (!result.is_null()) j["result"] = result;
  if (!error.is_null()) j["error"] = error;
  if (!order.is_null()) j["order"] = order;
  return j;
}

Result<JobRecord> JobRecord::from_json(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("job_id") || !j.contains("state")) {
    return make_error(Errc::internal, "job record without job_id or state");
  }
  JobRecord r;
  try {
    r.job_id = j.at("job_id").get<std::string>();
    auto state = job_state_from_name(j.at("state").get<std::string>());
    if (!state) return make_error(Errc::internal, "job record " + r.job_id + " has a bad state");
    r.state = *state;
    r.progress = j.value("progress", 0.0);
    r.stage = j.value("stage", "");
    r.created_at = j.value("created_at", "");
    r.updated_at = j.value("updated_at", "");
    r.session_id = j.value("session_id", "");
    r.theme = j.value("theme", "");
    r.source = j.value("source", "");
    if (j.contains("result")) r.result = j["result"];
    if (j.contains("error")) r.error = j["error"];
    if (j.contains("order")) r.order = j["order"];
  } catch (const nlohmann::json::exception& e) {
    return make_error(Errc::internal, std::string("job record has a mistyped field: ") + e.what());
  }
  return r;
}

Result<void> JobStore::save(const JobRecord& record) {
  const std::string text = record.to_json().dump();
  return storage_.put(key_for(record.job_id),
                      {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()},
                      "application/json");
}

Result<void> JobStore::create(JobRecord record) {
  NAMIX_TRY(save(record));
  std::lock_guard lock(mutex_);
  live_[record.job_id] = std::move(record);
  return {};
}

void JobStore::update(const std::string& job_id, const std::function<void(JobRecord&)>& change,
                      bool persist) {
  JobRecord copy;
  {
    std::lock_guard lock(mutex_);
    auto it = live_.find(job_id);
    if (it == live_.end()) return;
    change(it->second);
    it->second.updated_at = iso8601_now();
    copy = it->second;
    // Finished jobs are answered from storage from now on.
    if (copy.state == JobState::done || copy.state == JobState::failed) live_.erase(it);
  }
  if (!persist) return;
  auto saved = save(copy);
  if (saved.ok()) return;
  // A lost progress write only delays what pollers see; a lost final state
  // would leave the job "running" in storage, so this process keeps
  // answering it from memory (a restart then reports it failed, as for any
  // job it could not finish recording).
  const nlohmann::json line = {{"ts", iso8601_now()},
                               {"level", "warn"},
                               {"msg", "job state not stored"},
                               {"job", job_id},
                               {"error", saved.error().message}};
  std::fprintf(stderr, "%s\n", line.dump().c_str());
  if (copy.state == JobState::done || copy.state == JobState::failed) {
    std::lock_guard lock(mutex_);
    live_.emplace(job_id, std::move(copy));
  }
}

Result<JobRecord> JobStore::find(const std::string& job_id) {
  std::optional<JobRecord> unsaved;
  {
    std::lock_guard lock(mutex_);
    auto it = live_.find(job_id);
    if (it != live_.end()) {
      const JobState state = it->second.state;
      if (state != JobState::done && state != JobState::failed) return it->second;
      unsaved = it->second;
    }
  }
  if (unsaved) {
    // A final state the storage could not take when it was reached (its
    // disk was full, say) is offered again each time it is asked for.
    if (save(*unsaved).ok()) {
      std::lock_guard lock(mutex_);
      live_.erase(job_id);
    }
    return *unsaved;
  }
  auto text = storage_.get(key_for(job_id));
  if (!text) {
    if (text.error().code == Errc::not_found) {
      return make_error(Errc::not_found,
                        "no job " + job_id + " (job ids come from POST /mix/jobs)");
    }
    return text.error();
  }
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded()) return make_error(Errc::internal, "job record " + job_id + " is corrupt");
  return JobRecord::from_json(j);
}

Result<std::size_t> JobStore::fail_unfinished(const std::string& reason) {
  auto listed = storage_.list("jobs/");
  if (!listed) return listed.error();
  std::size_t failed = 0;
  for (const auto& info : *listed) {
    auto text = storage_.get(info.key);
    if (!text) continue;
    auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded()) continue;
    auto record = JobRecord::from_json(j);
    if (!record || record->state == JobState::done || record->state == JobState::failed) continue;
    record->state = JobState::failed;
    record->stage = "failed";
    record->updated_at = iso8601_now();
    record->error = error_json(make_error(Errc::unavailable, reason), record->session_id);
    NAMIX_TRY(save(*record));
    ++failed;
  }
  return failed;
}

Result<std::size_t> JobStore::expire(std::chrono::seconds max_age,
                                     std::chrono::system_clock::time_point now) {
  auto listed = storage_.list("jobs/");
  if (!listed) return listed.error();
  const std::int64_t oldest_kept_unix =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch() - max_age).count();
  std::size_t removed = 0;
  for (const ObjectInfo& info : *listed) {
    if (info.last_modified_unix >= oldest_kept_unix) continue;
    std::string job_id = info.key.substr(std::string_view("jobs/").size());
    if (job_id.ends_with(".json")) job_id.resize(job_id.size() - std::string_view(".json").size());
    {
      std::lock_guard lock(mutex_);
      if (live_.count(job_id) != 0) continue;
    }
    NAMIX_TRY(storage_.remove(info.key));
    ++removed;
  }
  return removed;
}

std::string iso8601_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string new_mix_id() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(rng() & 0xffffffffu));
  return std::string(stamp) + "-" + suffix;
}

bool is_valid_job_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (unsigned char c : id) {
    if (!(std::isalnum(c) || c == '-' || c == '_')) return false;
  }
  return true;
}

}  // namespace namix

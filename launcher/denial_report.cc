#include "launcher/denial_report.h"

#include <iostream>

#include <nlohmann/json.hpp>

#include "policy/suggest.h"
#include "syscalls/constants.h"

namespace cordon::launcher {

namespace {

constexpr int kMaxShown = 20;        // distinct denials reported per run; a looping app must not flood
constexpr std::size_t kMaxKept = 256;  // distinct denials remembered: an app calling ever new numbers
                                       // must not grow the launcher's memory (it sits outside the limits)

bool takes_family(const std::string& syscall) { return syscall == "socket" || syscall == "socketpair"; }

std::string family_of(const sandbox::Denial& d) {
  if (!takes_family(d.syscall)) return {};
  const std::uint64_t low = d.args[0] & 0xffffffffull;  // the kernel reads an int
  return syscalls::constant_name(syscalls::ConstantKind::address_family, low).value_or("family " + std::to_string(low));
}

std::string plugs_text(const std::vector<std::string>& plugs) {
  std::string out;
  for (std::size_t i = 0; i < plugs.size(); ++i)
    out += (i == 0 ? "" : i + 1 == plugs.size() ? " or " : ", ") + plugs[i];
  return "the " + out + " plug" + (plugs.size() > 1 ? "s" : "");
}

}  // namespace

DenialReport::DenialReport(const plan::Plan& plan, policy::SearchPaths paths, ReportOptions options)
    : app_(plan.app), paths_(std::move(paths)), options_(options), plan_(plan) {}

bool DenialReport::may_let_through(const sandbox::Denial& d) { return hint_for(d.syscall, family_of(d)).grantable(); }

DenialReport::Hint DenialReport::hint_for(const std::string& syscall, const std::string& family) {
  if (!grants_) grants_ = std::make_unique<app::GrantIndex>(app::GrantIndex::build(paths_));
  Hint h;
  if (!family.empty()) {
    if (family == "AF_UNIX" && unix_refused_for_view_) {
      h.text = "refused in learn mode while the host is in view (a Unix socket there could reach a host service); "
               "`--no-host-view` allows it";
      return h;
    }
    h.plugs = grants_->plugs_for_family(family);
    h.text = h.plugs.empty() ? "no interface grants " + family : plugs_text(h.plugs) + " would allow it";
    return h;
  }
  if (plan::has_name(plan_.denied, syscall)) {
    h.text = "the app's policy denies it (seccomp.deny)";
    return h;
  }
  if (plan::has_name(plan_.syscalls, syscall)) {  // allowed, so an argument rule refused these arguments
    h.text = "its arguments are refused by an argument rule (cordon explain APP shows it)";
    return h;
  }
  h.plugs = grants_->plugs_for_syscall(syscall);
  if (!h.plugs.empty()) {
    h.text = plugs_text(h.plugs) + " would allow it";
  } else if (auto why = grants_->denied_to_all(syscall)) {
    h.text = "denied to every app: " + *why;
  } else if (grants_->in_some_set(syscall)) {
    h.allow_by_name = true;
    h.text = "no interface grants it; `seccomp: {allow: [" + syscall + "]}` in the app's policy would";
  } else {
    h.text = "not a syscall this cordon knows (answered ENOSYS)";
  }
  return h;
}

void DenialReport::print(const sandbox::Denial& d, const std::string& family, const Hint& h) const {
  if (options_.json || status_) {
    nlohmann::ordered_json j{{"event", "seccomp"},
                             {"app", app_},
                             {"syscall", d.syscall},
                             {"action", d.let_through ? "allowed" : "denied"},
                             {"errno", d.let_through ? "" : d.known ? "EPERM" : "ENOSYS"},
                             {"plugs", h.plugs},
                             {"hint", h.text}};
    if (!family.empty()) j["family"] = family;
    if (status_) status_->event(j.dump());
    if (options_.quiet || (options_.json && status_)) return;
    if (options_.json) {
      std::cerr << j.dump() << "\n";
      return;
    }
  }
  if (options_.quiet) return;
  const std::string call = d.syscall + "(" + (family.empty() ? "" : family + ", ") + "…)";
  std::cerr << "cordon: " << app_ << ": " << (d.let_through ? "complain: let through " : "denied ") << call << " — "
            << h.text << "\n";
}

void DenialReport::denied(const sandbox::Denial& d) {
  const std::string family = family_of(d);
  if (seen_.size() >= kMaxKept) {
    if (seen_.size() == kMaxKept && !options_.quiet)
      std::cerr << "cordon: " << app_ << ": over " << kMaxKept << " distinct denied calls; no longer tracking them\n";
    seen_.insert("");  // the notice once
    return;
  }
  if (!seen_.insert(d.syscall + " " + family).second) return;
  const Hint h = hint_for(d.syscall, family);
  if (!h.plugs.empty()) plugs_.try_emplace(h.plugs.front(), "called " + d.syscall + "(" + family + (family.empty() ? "…)" : ", …)"));
  else if (h.allow_by_name) allow_.insert(d.syscall);
  else unfixable_.insert(d.syscall + "(" + (family.empty() ? "…" : family + ", …") + "): " + h.text);
  if (shown_ < kMaxShown) print(d, family, h);
  else if (shown_ == kMaxShown && !options_.quiet)
    std::cerr << "cordon: " << app_ << ": more denied calls; not shown\n";
  ++shown_;
}

void DenialReport::no_listener() {
  if (!options_.quiet)
    std::cerr << "cordon: " << app_ << ": denied calls are not reported: cordon runs under a seccomp filter that "
                                        "already has a listener (they still fail with EPERM or ENOSYS)\n";
}

bool DenialReport::plan_allows(const std::string& syscall) { return plan::has_name(plan_.syscalls, syscall); }

void DenialReport::path_used(const sandbox::PathUse& use) {
  if (learned_) learned_->note(use);
}

void DenialReport::address_used(const sandbox::AddressUse& use) {
  if (learned_network_) learned_network_->note(use);
}

policy::Amendment DenialReport::amendment() {
  policy::Amendment add;
  for (const auto& [plug, why] : plugs_) add.plugs.push_back({plug, {}, why});
  add.allow.assign(allow_.begin(), allow_.end());
  for (const std::string& u : unfixable_) add.notes.push_back("cannot be granted: " + u);
  if (!grants_) grants_ = std::make_unique<app::GrantIndex>(app::GrantIndex::build(paths_));
  if (learned_ && learned_->size()) learned_->suggest(*grants_, add);
  if (learned_network_) learned_network_->suggest(plan_, add);
  for (policy::PlugAddition& p : add.plugs) {
    bool manual = grants_->manual(p.interface);
    for (const auto& [name, value] : p.attributes)
      manual = manual || (!value.list && !value.items.empty() && grants_->manual_value(p.interface, name, value.items[0]));
    if (manual) p.why += "; manual: grants nothing until `cordon connect`";
  }
  return add;
}

}  // namespace cordon::launcher

#include "sandbox/expand.h"

#include <algorithm>
#include <cctype>

#include "plan/arguments.h"
#include "sandbox/app_data.h"
#include "sandbox/personal_paths.h"
#include "sandbox/state_guard.h"

namespace cordon::sandbox {

namespace {

// Only the app's own policy asks for it: no interface, base or cordon grants the same path.
bool only_from_app(const std::vector<plan::Source>& from) {
  return !from.empty() && std::all_of(from.begin(), from.end(), [](const plan::Source& s) { return s.origin == plan::Origin::app; });
}

std::string describe(const std::vector<plan::Source>& from) {
  if (from.empty()) return "cordon";
  const plan::Source& s = from.front();
  if (s.file.empty()) return plan::origin_label(s);
  return (s.origin == plan::Origin::plug ? s.name + " plug, " : "") + s.file + (s.line ? ":" + std::to_string(s.line) : "");
}

// A parent before its children: '/' sorts before every other byte of a path.
bool before(const Step& a, const Step& b) {
  auto key = [](std::string p) {
    std::replace(p.begin(), p.end(), '/', '\x01');
    return p;
  };
  return key(a.path) < key(b.path);
}

}  // namespace

Result<std::string> expand_variables(const std::string& text, const LaunchContext& ctx, const std::string& app_data,
                                     bool is_path) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$') {
      out += text[i];
      continue;
    }
    if (!is_path && i + 1 < text.size() && text[i + 1] == '$') {  // $$ in an environment value
      out += '$';
      ++i;
      continue;
    }
    std::size_t start = i + 1, end;
    if (start < text.size() && text[start] == '{') {
      end = text.find('}', start);
      if (end == std::string::npos) return fail("expand", "expand " + text + ": unterminated ${");
      ++start;
    } else {
      end = start;
      while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_')) ++end;
    }
    const std::string name = text.substr(start, end - start);
    std::string value;
    if (name == "HOME") value = ctx.home;
    else if (name == "UID") value = std::to_string(ctx.uid);
    else if (name == "XDG_RUNTIME_DIR") value = ctx.xdg_runtime_dir;
    else if (name == "APP_DATA") value = app_data;
    else if (name == "APP_ROOT" && !ctx.app_root.empty()) value = kAppRootInside;
    else return fail("expand", "expand " + text + ": $" + name + " has no value in this launch");
    if (is_path && (value.empty() || value[0] != '/'))
      return fail("expand", "expand " + text + ": $" + name + " is not set to an absolute path");
    out += value;
    i = (end < text.size() && text[end] == '}') ? end : end - 1;
  }
  return out;
}

// The payload is shown whole and read-only at $APP_ROOT; a grant there would bind the host's
// folder of that name over it.
Result<void> refuse_grant_in_payload(const plan::Mount& m, const std::string& path, const LaunchContext& ctx) {
  const std::string root = kAppRootInside;
  const bool inside = path == root || path.rfind(root + "/", 0) == 0;
  if (m.path.find("$APP_ROOT") == std::string::npos && !(inside && !ctx.app_root.empty())) return {};
  return fail("expand", "grant " + m.path + " (" + describe(m.from) + "): an installed app's payload is already shown "
                        "whole and read-only at $APP_ROOT (" + root + "); nothing may be granted there");
}

// A command word's variables (plan/arguments.h): the app's environment first, as the app itself
// would read $HOME, then the Plan variables the environment does not set.
Result<std::string> expand_argument(const std::string& word, const std::vector<std::string>& env,
                                    const LaunchContext& ctx, const std::string& app_data) {
  std::string out;
  for (const plan::ArgumentPart& part : plan::split_argument(word)) {
    if (!part.variable) {
      out += part.text;
      continue;
    }
    const std::string prefix = part.text + "=";
    auto set = std::find_if(env.begin(), env.end(), [&](const std::string& e) { return e.rfind(prefix, 0) == 0; });
    if (set != env.end()) {
      out += set->substr(prefix.size());
      continue;
    }
    const auto& plan_vars = plan::argument_plan_variables();
    if (std::find(plan_vars.begin(), plan_vars.end(), part.text) == plan_vars.end()) continue;  // a plug's, not connected: ""
    auto value = expand_variables("$" + part.text, ctx, app_data, false);
    if (!value) return fail("expand", "expand the argument " + word + ": $" + part.text + " has no value in this launch");
    out += *value;
  }
  return out;
}

// The command to run: the Plan's (or its health check), a payload-relative first word made the
// path it has inside, its variables expanded, and the caller's arguments after it as they are.
Result<std::vector<std::string>> command_line(const plan::Plan& plan, const LaunchContext& ctx,
                                              const std::vector<std::string>& env, const std::string& app_data) {
  std::vector<std::string> argv = ctx.health_check ? plan.health_check : plan.command;
  if (argv.empty()) return fail("expand", "run the health check of " + plan.app + ": its policy has no health-check");
  const std::string_view prefix = plan::kAppRootPrefix;
  if (argv[0].rfind(prefix, 0) == 0) {
    if (ctx.app_root.empty())
      return fail("expand", "run " + argv[0].substr(prefix.size()) + ": a command relative to the payload runs only "
                            "in an installed package (`cordon install`); give a policy file's command as an absolute path");
    argv[0] = std::string(kAppRootInside) + "/" + argv[0].substr(prefix.size());
  }
  for (std::string& word : argv) {
    auto expanded = expand_argument(word, env, ctx, app_data);
    if (!expanded) return expanded.error();
    word = std::move(*expanded);
  }
  argv.insert(argv.end(), ctx.args.begin(), ctx.args.end());
  return argv;
}

Result<Expanded> expand(const plan::Plan& plan, const LaunchContext& ctx, const std::string& app_data) {
  Expanded e;
  for (const plan::Mount& m : plan.mounts) {
    auto path = expand_variables(m.path, ctx, app_data, true);
    if (path) CORDON_TRY(refuse_grant_in_payload(m, *path, ctx));
    if (!path) {
      if (m.optional) continue;  // an optional grant whose variable is unset is simply absent
      return path.error();
    }
    e.mounts.push_back(Step{m.kind, *path, m.optional, false, describe(m.from), only_from_app(m.from)});
  }
  for (const plan::Device& d : plan.devices)
    e.mounts.push_back(Step{plan::MountKind::bind_rw, d.path, d.optional, true, describe(d.from)});
  for (const plan::SlotMount& sm : plan.slots) {
    // Opened later from the host's root without following any link (mounts.cc bind), so whatever
    // the provider puts on the way cannot lead out of its data.
    Step slot{sm.writable ? plan::MountKind::bind_rw : plan::MountKind::bind_ro, plan::slot_mount_point(sm), false, false,
              "slot " + sm.slot + " of " + sm.provider + " ($APP_DATA/" + sm.path + " of " + sm.provider + ")"};
    slot.source = app_data_root(ctx) + "/" + sm.provider + "/" + sm.path;
    slot.expect = sm.kind == "socket" ? Step::Expect::socket : Step::Expect::directory;
    e.mounts.push_back(slot);
  }
  if (!ctx.notify_socket.empty()) {  // read-only: a datagram to a socket needs no write to its folder
    Step notify{plan::MountKind::bind_ro, ctx.notify_socket, false, false, "systemd's NOTIFY_SOCKET"};
    notify.expect = Step::Expect::socket;
    e.mounts.push_back(notify);
  }
  if (!ctx.app_root.empty()) {
    Step payload{plan::MountKind::bind_ro, kAppRootInside, false, false, "the installed revision"};
    payload.source = ctx.app_root;
    e.mounts.push_back(payload);
  }
  std::stable_sort(e.mounts.begin(), e.mounts.end(), before);

  for (const plan::EnvEntry& v : plan.environment) {
    auto value = expand_variables(v.value, ctx, app_data, false);
    if (!value) return value.error();
    e.env.push_back(v.name + "=" + *value);
  }
  auto argv = command_line(plan, ctx, e.env, app_data);
  if (!argv) return argv.error();
  e.argv = std::move(*argv);
  if (!ctx.notify_socket.empty()) e.env.push_back("NOTIFY_SOCKET=" + ctx.notify_socket);
  if (ctx.listen_fds > 0) {  // LISTEN_PID is the app's own pid, set as it starts (pid1.h)
    e.env.push_back("LISTEN_FDS=" + std::to_string(ctx.listen_fds));
    if (!ctx.listen_fdnames.empty()) e.env.push_back("LISTEN_FDNAMES=" + ctx.listen_fdnames);
  }
  // TERM describes the terminal the app draws on, not the host; it is the one variable passed through.
  if (!ctx.term.empty() && std::none_of(e.env.begin(), e.env.end(), [](const std::string& s) { return s.rfind("TERM=", 0) == 0; }))
    e.env.push_back("TERM=" + ctx.term);
  return e;
}

Result<void> protect_mounts(std::vector<Step>& mounts, const std::vector<StateDir>& state, const PersonalFacts& facts,
                            const LaunchContext& ctx) {
  // cordon's own state, wherever the invoker's XDG variables put it (the Plan can only name the
  // default places): hidden, and kept in place where the app may write around it.
  CORDON_TRY(guard_state_dirs(mounts, state, facts.app_data));
  // People's homes and runtime directories, by their resolved paths (personal_paths.h).
  CORDON_TRY(guard_personal_paths(mounts, facts));
  CORDON_TRY(refuse_grants_below_hides(mounts, facts.app_data));
  CORDON_TRY(keep_inputs_read_only(mounts, ctx));
  pin_protections(mounts);  // the directories between a writable grant and each hide
  std::stable_sort(mounts.begin(), mounts.end(), before);
  return {};
}

}  // namespace cordon::sandbox

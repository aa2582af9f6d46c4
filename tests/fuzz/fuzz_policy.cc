// libFuzzer target for the policy loader: every input goes through the three loaders (app policy,
// interface file, syscall-set catalogue) and the update-source reader (update/source.h, whose
// files are YAML read with the same tree) and then through both renderers, as `cordon check` and
// `cordon check --json` would print it. Leaves timing to -timeout and memory to -rss_limit_mb.
//
// A finding is anything that leaves this function abnormally: a sanitizer report, an exception (the
// loader catches yaml-cpp's own; nlohmann's dump throws on a message that is not valid UTF-8), or a
// broken contract of load.h, which we turn into abort() so that libFuzzer saves the input.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "policy/diagnostics.h"
#include "policy/load.h"
#include "update/source.h"

namespace {

using cordon::policy::Diagnostic;
using cordon::policy::Diagnostics;
using cordon::policy::Severity;

[[noreturn]] void broken(const char* loader, const char* what) {
  std::fprintf(stderr, "fuzz_policy: %s: %s\n", loader, what);
  std::abort();
}

void check_diagnostic(const char* loader, const Diagnostic& d, const std::string& file) {
  if (d.message.empty()) broken(loader, "a diagnostic has an empty message");
  if (d.where.file != file) broken(loader, "a diagnostic names another file");
  if (d.where.line < 0 || d.where.column < 0) broken(loader, "a diagnostic has a negative line or column");
  for (const Diagnostic& n : d.notes) {
    if (n.severity != Severity::note) broken(loader, "a note is not of severity note");
    check_diagnostic(loader, n, file);
  }
}

// load.h: "reports every problem it finds to `diags` and returns nullopt if there was any error".
template <typename Loader>
void run(const char* loader, Loader&& parse, std::string_view text) {
  const std::string file = "fuzz.yaml";
  Diagnostics diags;
  const bool loaded = parse(file, text, diags).has_value();
  if (loaded && diags.has_errors()) broken(loader, "returned a value and reported an error");
  if (!loaded && !diags.has_errors()) broken(loader, "returned nullopt without an error");
  for (const Diagnostic& d : diags.items()) check_diagnostic(loader, d, file);

  // What the launcher prints. The text form quotes the source line under each diagnostic; the JSON
  // form is dumped with nlohmann's strict UTF-8 handling, exactly as `cordon check --json` does.
  const std::string text_out = cordon::policy::render_text(diags, {{file, std::string(text)}});
  if (!loaded && text_out.empty()) broken(loader, "render_text printed nothing for a failed load");
  const std::string json_out = cordon::policy::render_json(diags).dump(2);
  if (json_out.empty()) broken(loader, "render_json printed nothing");
}

// update::parse_source in the loaders' shape: no key file is read (that is load_sources's).
std::optional<bool> parse_source(const std::string& file, std::string_view text, Diagnostics& diags) {
  cordon::update::Source out;
  if (!cordon::update::parse_source(file, std::string(text), "/etc/cordon/sources", 0, false, out, diags))
    return std::nullopt;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // All three on every input, so that each seed (an app, an interface, the catalogue) reaches the
  // deep checks of its own loader and the shape checks of the other two.
  run("parse_app", cordon::policy::parse_app, text);
  run("parse_interface", cordon::policy::parse_interface, text);
  run("parse_syscall_sets", cordon::policy::parse_syscall_sets, text);
  run("parse_source", parse_source, text);
  return 0;
}

// App policy validation: each error class, with its exact message, line and column.
#include <doctest/doctest.h>

#include "support.h"

using cordon::test::app_errors;
using V = std::vector<std::string>;

namespace {

// A valid policy with `extra` appended, so each case adds exactly one mistake at a known line (5+).
std::string with(const std::string& extra) {
  return "schema: 1\nname: demo\ncommand: [/usr/bin/true]\nsummary: a test\n" + extra;
}

}  // namespace

TEST_CASE("a valid policy has no errors") {
  CHECK(app_errors(with("plugs: [network, {home: {access: read-only}}]\n"
                        "filesystem: {read-only: [/etc/ssl, {path: /srv/x, optional: true}], tmpfs: [/var/cache]}\n"
                        "environment: {LANG: C.UTF-8}\n"
                        "limits: {memory: 512MiB, processes: 128, open-files: 1024, cpu-time: 60s}\n"
                        "seccomp: {allow: [ptrace], deny: [mknod]}\n"
                        "version: '1.0'\nhealth-check: [/usr/bin/true]\nuser: alice\nslots: []\n"))
            .empty());
}

TEST_CASE("unknown keys, with a suggestion when one is close") {
  CHECK(app_errors(with("comand: [/bin/sh]\n")) == V{"5:1: unknown key 'comand' in app policy; did you mean 'command'?"});
  CHECK(app_errors(with("colour: red\n")) ==
        V{"5:1: unknown key 'colour' in app policy; accepted: command, environment, filesystem, health-check, limits, "
          "name, plugs, schema, seccomp, slots, summary, user, version"});
  CHECK(app_errors(with("filesystem: {read-onyl: [/x]}\n")) ==
        V{"5:14: unknown key 'read-onyl' in filesystem; did you mean 'read-only'?"});
}

TEST_CASE("wrong types") {
  CHECK(app_errors("schema: 1\nname: demo\ncommand: /usr/bin/true\n") ==
        V{"3:10: command must be a list, found '/usr/bin/true'"});
  CHECK(app_errors(with("plugs: network\n")) == V{"5:8: plugs must be a list, found 'network'"});
  CHECK(app_errors(with("limits: {processes: many}\n")) ==
        V{"5:21: limits.processes must be an integer from 1 to 1073741824, found 'many'"});
  CHECK(app_errors(with("limits: {open-files: '10'}\n")) ==
        V{"5:22: limits.open-files must be an integer from 1 to 1073741824, found the quoted string '10'"});
  CHECK(app_errors(with("environment: [A]\n")) == V{"5:14: environment must be a mapping of NAME: value, found a list"});
  CHECK(app_errors(with("filesystem: {read-only: [{path: /x, optional: yes}]}\n")) ==
        V{"5:47: optional must be true or false, found 'yes'"});
}

TEST_CASE("bad app names") {
  CHECK(app_errors("schema: 1\nname: Demo\ncommand: [/bin/true]\n") ==
        V{"2:7: app name 'Demo' is not valid; names are 1 to 40 characters of a-z, 0-9 and '-', starting with a letter"});
  CHECK(app_errors("schema: 1\nname: 1x\ncommand: [/bin/true]\n").size() == 1);
  CHECK(app_errors("schema: 1\nname: " + std::string(41, 'a') + "\ncommand: [/bin/true]\n").size() == 1);
  CHECK(app_errors("schema: 1\nname: " + std::string(40, 'a') + "\ncommand: [/bin/true]\n").empty());
}

TEST_CASE("paths: relative, '..', unknown variables") {
  CHECK(app_errors(with("filesystem: {read-only: [etc/ssl]}\n")) ==
        V{"5:26: path 'etc/ssl' is relative; paths must be absolute or start with a variable"});
  CHECK(app_errors(with("filesystem: {read-only: [/usr/../etc]}\n")) ==
        V{"5:26: path '/usr/../etc' contains '..'; write it without . and .."});
  CHECK(app_errors(with("filesystem: {read-only: [$HOME/../x]}\n")) ==
        V{"5:26: path '$HOME/../x' contains '..'; write it without . and .."});
  CHECK(app_errors(with("filesystem: {read-only: [$FOO/x]}\n")) ==
        V{"5:26: unknown variable '$FOO' in path; known: $APP_DATA, $APP_ROOT, $HOME, $UID, $XDG_RUNTIME_DIR"});
  CHECK(app_errors(with("filesystem: {read-only: ['${HOEM}/x']}\n")) ==
        V{"5:26: unknown variable '$HOEM' in path; known: $APP_DATA, $APP_ROOT, $HOME, $UID, $XDG_RUNTIME_DIR; "
          "did you mean '$HOME'?"});
  CHECK(app_errors(with("filesystem: {read-only: [/home/$HOME]}\n")) ==
        V{"5:26: variable '$HOME' names a whole path and must start it"});
  CHECK(cordon::test::interface_errors("schema: 1\ninterface: x\nfilesystem: {read-only: [/run/user/$UID/x, '${XDG_RUNTIME_DIR}/y']}\n").empty());
}

TEST_CASE("unknown syscall names are resolved with libseccomp") {
  CHECK(app_errors(with("seccomp: {allow: [getppid, getpid2]}\n")) ==
        V{"5:28: unknown syscall 'getpid2' in seccomp.allow"});
  CHECK(app_errors(with("seccomp: {deny: [open]}\n")).empty());
}

TEST_CASE("size and duration units") {
  CHECK(app_errors(with("limits: {memory: 512MB}\n")) ==
        V{"5:18: limits.memory must be a positive size such as 512MiB (units: B, KiB, MiB, GiB, TiB), found '512MB'"});
  CHECK(app_errors(with("limits: {memory: 0MiB}\n")).size() == 1);
  CHECK(app_errors(with("limits: {memory: 99999999999999999999GiB}\n")).size() == 1);  // overflow
  CHECK(app_errors(with("limits: {cpu-time: 60sec}\n")) ==
        V{"5:20: limits.cpu-time must be a positive duration such as 60s (units: ms, s, min, h), found '60sec'"});
  CHECK(app_errors(with("limits: {memory: 2G, cpu-time: 2min}\n")).empty());
}

TEST_CASE("schema: missing or unsupported") {
  CHECK(app_errors("name: demo\ncommand: [/bin/true]\n") == V{"1:1: missing required key 'schema' in app policy"});
  CHECK(app_errors("schema: 2\nname: demo\ncommand: [/bin/true]\n") ==
        V{"1:9: unsupported schema '2'; this cordon reads schema 1"});
  CHECK(app_errors("schema: '1'\nname: demo\ncommand: [/bin/true]\n") ==
        V{"1:9: schema must be the number 1, not a quoted string"});
}

TEST_CASE("command: empty or not absolute") {
  CHECK(app_errors("schema: 1\nname: demo\ncommand: []\n") == V{"3:10: command must name a program; it is empty"});
  CHECK(app_errors("schema: 1\nname: demo\ncommand: [sh, -c, x]\n") ==
        V{"3:11: command[0] 'sh' must be an absolute path, or a path inside a package's payload such as bin/app; cordon does not search PATH"});
  CHECK(app_errors("schema: 1\nname: demo\ncommand: ['']\n").size() == 1);
  // A path with a '/' names a file of a package's payload; it may not climb out of it.
  CHECK(app_errors("schema: 1\nname: demo\ncommand: [bin/app, x]\n").empty());
  CHECK(app_errors("schema: 1\nname: demo\ncommand: [./app]\n").empty());
  for (const char* climbing : {"../x", "bin/../../x", "bin/.."})
    CHECK(app_errors(std::string("schema: 1\nname: demo\ncommand: ['") + climbing + "']\n").size() == 1);
}

TEST_CASE("duplicate keys") {
  CHECK(app_errors("schema: 1\nname: demo\nname: other\ncommand: [/bin/true]\n") == V{"3:1: duplicate key 'name'"});
}

TEST_CASE("three mistakes give three diagnostics in file order") {
  CHECK(app_errors("schema: 1\n"
                   "name: Demo\n"
                   "command: [/bin/true]\n"
                   "limits: {memory: 1XB}\n"
                   "filesystem: {read-only: [../x]}\n") ==
        V{"2:7: app name 'Demo' is not valid; names are 1 to 40 characters of a-z, 0-9 and '-', starting with a letter",
          "4:18: limits.memory must be a positive size such as 512MiB (units: B, KiB, MiB, GiB, TiB), found '1XB'",
          "5:26: path '../x' is relative; paths must be absolute or start with a variable"});
}

TEST_CASE("plugs: shape and duplicates") {
  CHECK(app_errors(with("plugs: [{home: {access: read-only}, network: {}}]\n")) ==
        V{"5:9: each entry of plugs must be an interface name or NAME: {attribute: value}"});
  CHECK(app_errors(with("plugs: [network, network]\n")) == V{"5:18: 'network' is plugged twice"});
}

TEST_CASE("reserved keys are validated now") {
  CHECK(app_errors(with("user: [a]\n")) == V{"5:7: user must be a string, found a list"});
  CHECK(app_errors(with("user: '-1'\n")) ==
        V{"5:7: user must be a user name or a uid from 0 to 4294967294, found '-1'"});
  CHECK(app_errors(with("health-check: [check]\n")) ==
        V{"5:16: health-check[0] 'check' must be an absolute path, or a path inside a package's payload such as bin/app; cordon does not search PATH"});
}

TEST_CASE("values that would reach the sandbox malformed are refused") {
  CHECK(app_errors(with("filesystem: {read-only: [\"/usr/a\\0b\"]}\n")) ==
        V{"5:26: each entry of filesystem.read-only contains a NUL character"});
  CHECK(app_errors(with("environment: {A: \"x\\0y\"}\n")) == V{"5:18: environment.A contains a NUL character"});
  CHECK(app_errors(with("filesystem: {read-only: [\"/usr/a\\tb\"]}\n")) ==
        V{"5:26: path '/usr/a\\tb' contains a control character"});
  CHECK(app_errors(with("filesystem: {read-only: [$UID/x]}\n")) ==
        V{"5:26: '$UID' is a number, not a directory; it cannot start a path"});
  CHECK(app_errors("schema: 1\nname: demo\ncommand: [/]\n") == V{"3:11: command[0] must name a program, not '/'"});
  CHECK(app_errors(with("user: 12345678901\n")) ==
        V{"5:7: user must be a user name or a uid from 0 to 4294967294, found '12345678901'"});
  CHECK(app_errors(with("summary2: x\n")).size() == 1);
  CHECK(app_errors("schema: 1\nname: demo\ncommand: [/bin/true]\nsummary: \"a\\u2028b\"\n") ==
        V{"4:10: summary must be one line of text without control characters"});
}

TEST_CASE("paths cordon sets up itself cannot be granted, in any list") {
  CHECK(app_errors(with("filesystem: {read-write: [/proc/sys]}\n")) ==
        V{"5:27: '/proc/sys' is reserved: cordon sets it up itself or keeps its own state there"});
  CHECK(app_errors(with("filesystem: {read-only: [/dev/sda]}\n")) ==
        V{"5:26: '/dev/sda' is reserved: cordon builds /dev itself; device nodes go under 'devices' in an interface"});
  CHECK(app_errors(with("filesystem: {read-write: [/var/lib/cordon/data/bank]}\n")).size() == 1);
  CHECK(app_errors(with("filesystem: {read-write: ['${APP_DATA}/x']}\n")).size() == 1);  // one spelling per path
  CHECK(app_errors(with("filesystem: {read-write: [/sys/kernel]}\n")) ==
        V{"5:27: '/sys/kernel' cannot be made writable: /sys holds kernel tunables"});
  CHECK(app_errors(with("filesystem: {read-only: [/sys/class/net]}\n")).empty());
  CHECK(app_errors(with("filesystem: {tmpfs: [/]}\n")).size() == 1);
  CHECK(app_errors(with("filesystem: {hide: [$APP_DATA]}\n")).size() == 1);
}

TEST_CASE("an empty value is reported at its key") {
  CHECK(app_errors(with("plugs:\n")) == V{"5:1: plugs must be a list, found nothing"});
}

TEST_CASE("an app's own filesystem section cannot reach the user's files; interfaces can") {
  for (const char* path : {"$HOME", "'${HOME}/.ssh'", "$XDG_RUNTIME_DIR/bus", "/home/alice", "/root", "/run/user/1000"}) {
    CAPTURE(path);
    CHECK(app_errors(with(std::string("filesystem: {read-only: [") + path + "]}\n")).size() == 1);
  }
  CHECK(app_errors(with("filesystem: {hide: [$HOME/.ssh]}\n")).empty());  // hiding more is always allowed
}

TEST_CASE("slots: a socket or a directory below $APP_DATA, under a name; plugs of slots are PROVIDER:SLOT") {
  const std::string head = "schema: 1\nname: demo\ncommand: [/usr/bin/true]\n";
  CHECK(cordon::test::app_errors(head + "slots:\n  - db: {socket: $APP_DATA/run/db.sock}\n"
                                        "  - out: {directory: '${APP_DATA}/exports', access: read-write}\n"
                                        "plugs: [sensor:db]\n").empty());
  CHECK(cordon::test::app_errors(head + "slots: [db]\n") ==
        V{"4:9: each slot must be NAME: {socket: $APP_DATA/PATH} or NAME: {directory: $APP_DATA/PATH}"});
  CHECK(cordon::test::app_errors(head + "slots: [{db: {socket: /run/db.sock}}]\n") ==
        V{"4:23: slot 'db': '/run/db.sock' must be below $APP_DATA (the app's own data is all it can offer)"});
  CHECK(cordon::test::app_errors(head + "slots: [{db: {socket: $APP_DATA}}]\n").size() == 1);
  CHECK(cordon::test::app_errors(head + "slots: [{db: {socket: $APP_DATA/x, directory: $APP_DATA/y}}]\n") ==
        V{"4:10: slot 'db' needs exactly one of socket: and directory:"});
  CHECK(cordon::test::app_errors(head + "slots: [{db: {socket: $APP_DATA/../x}}]\n").size() == 1);
  CHECK(cordon::test::app_errors(head + "slots: [{db: {socket: $APP_DATA/x, access: all}}]\n").size() == 1);
  CHECK(cordon::test::app_errors(head + "slots: [{db: {socket: $APP_DATA/x}}, {db: {socket: $APP_DATA/y}}]\n").size() == 1);
  CHECK(cordon::test::app_errors(head + "plugs: ['Sensor:db']\n").size() == 1);
  CHECK(cordon::test::app_errors(head + "plugs: ['sensor:']\n").size() == 1);
}

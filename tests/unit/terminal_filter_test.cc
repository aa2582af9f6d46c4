// What an app's pty may send to the host's terminal (sandbox/terminal_filter.h).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sandbox/terminal_filter.h"

namespace {

using cordon::sandbox::TerminalFilter;

// Feeds `chunks` to one filter, as successive reads, and returns everything it let through.
std::string through_chunks(const std::vector<std::string>& chunks) {
  TerminalFilter f;
  std::string out;
  for (const std::string& c : chunks) {
    std::string buf(TerminalFilter::output_room(c.size()), '\0');
    buf.resize(f.filter(c.data(), c.size(), buf.data()));
    out += buf;
  }
  return out;
}

std::string through(const std::string& s) { return through_chunks({s}); }

// Every way of cutting `s` in two reads gives the same output as one read.
void check_every_split(const std::string& s, const std::string& want) {
  CHECK(through(s) == want);
  for (std::size_t i = 1; i < s.size(); ++i) {
    CAPTURE(i);
    CHECK(through_chunks({s.substr(0, i), s.substr(i)}) == want);
  }
}

// And one byte per read.
void check_bytewise(const std::string& s, const std::string& want) {
  std::vector<std::string> bytes;
  for (char c : s) bytes.emplace_back(1, c);
  CHECK(through_chunks(bytes) == want);
}

}  // namespace

TEST_CASE("terminal filter: text, UTF-8 and colours pass unchanged") {
  const std::string plain = "hello, world\r\n\tcol\b\a";
  CHECK(through(plain) == plain);
  const std::string utf8 = "gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80 \xc2\xa9 \xc5\x9c";  // ü ß € 😀 © Ŝ
  check_every_split(utf8, utf8);
  const std::string sgr = "\x1b[1;31mred\x1b[0m \x1b[38;2;255;128;0mrgb\x1b[m \x1b[?1049h\x1b[2J\x1b[H\x1b[6n\x1b[c";
  check_every_split(sgr, sgr);
  const std::string escapes = "\x1b(B\x1b" "7\x1b" "8\x1b=\x1b>\x1b#8\x1b" "c";
  check_every_split(escapes, escapes);
}

TEST_CASE("terminal filter: set-title and colour sequences pass, with BEL or ST") {
  const std::string titles = "\x1b]0;my title\x07\x1b]2;other\x1b\\\x1b]1;icon\x07";
  check_every_split(titles, titles);
  const std::string colours = "\x1b]4;1;rgb:ff/00/00\x07\x1b]11;?\x07\x1b]104\x07\x1b]8;;https://example.org\x1b\\link\x1b]8;;\x1b\\";
  check_every_split(colours, colours);
  CHECK(through("\x1b]2;t\xc3\xaftle\x07") == "\x1b]2;t\xc3\xaftle\x07");  // UTF-8 in a title
}

TEST_CASE("terminal filter: OSC 52 (clipboard) and other host-acting OSCs are dropped, BEL or ST") {
  check_every_split("a\x1b]52;c;ZXZpbA==\x07" "b", "ab");
  check_every_split("a\x1b]52;c;ZXZpbA==\x1b\\b", "ab");
  check_every_split("a\x1b]52;c;?\x07" "b", "ab");  // a clipboard read
  for (const char* number : {"50", "51", "5522", "7", "9", "99", "777", "1337", "133", "22", "3"}) {
    CAPTURE(number);
    CHECK(through(std::string("x\x1b]") + number + ";payload\x07y") == "xy");
  }
  CHECK(through("x\x1b];no number\x07y") == "xy");
  CHECK(through("x\x1b]2x;junk\x07y") == "xy");
  check_bytewise("a\x1b]52;c;ZXZpbA==\x07" "b\x1b]0;t\x07", "ab\x1b]0;t\x07");
}

TEST_CASE("terminal filter: DCS, SOS, PM and APC strings are dropped whole") {
  check_every_split("a\x1bP$qm\x1b\\b", "ab");                           // DECRQSS
  check_every_split("a\x1bPtmux;\x1b\x1b]52;c;eA==\x07\x1b\\b", "ab");   // tmux passthrough
  check_every_split("a\x1b_Gf=100;AAAA\x1b\\b", "ab");                   // kitty graphics (APC)
  check_every_split("a\x1b^pm\x1b\\b\x1bXsos\x1b\\c", "abc");
  CHECK(through("a\x1bPq#0;2;0;0;0\x07still dcs\x1b\\b") == "ab");  // BEL does not end a DCS
}

TEST_CASE("terminal filter: title and window reports and window operations are dropped") {
  check_every_split("a\x1b[21tb\x1b[20tc", "abc");  // report the title, the icon label
  for (const char* op : {"1", "2", "3;0;0", "4;1000;1000", "5", "6", "8;100;100", "9;1", "11", "13", "24", "", ">2"}) {
    CAPTURE(op);
    CHECK(through(std::string("a\x1b[") + op + "tb") == "ab");
  }
  CHECK(through("a\x1b[5ib\x1b[4ic\x1b[?5id") == "abcd");  // media copy
  const std::string kept = "\x1b[18t\x1b[14t\x1b[22;0t\x1b[23;0t";  // size reports, the title stack
  CHECK(through(kept) == kept);
}

TEST_CASE("terminal filter: 8-bit C1 controls count where they cannot be UTF-8, in their 7-bit form") {
  // raw bytes: 0x9d OSC, 0x90 DCS, 0x9b CSI, 0x9c ST
  check_every_split("a\x9d" "52;c;eA==\x9c" "b", "ab");
  check_every_split("a\x90$qm\x9c" "b", "ab");
  check_every_split("a\x9b" "21tb", "ab");
  CHECK(through("\x9b" "31mred") == "\x1b[31mred");
  CHECK(through("\x9d" "0;t\x9c") == "\x1b]0;t\x1b\\");
  // UTF-8 encoded (U+009D, U+0090, U+009B), as xterm reads them in UTF-8 mode
  check_every_split("a\xc2\x9d" "52;c;eA==\xc2\x9c" "b", "ab");
  check_every_split("a\xc2\x90$qm\xc2\x9c" "b", "ab");
  check_every_split("a\xc2\x9b" "21tb", "ab");
  // inside a character the same byte values are text: Ŝ (C5 9C) does not end a title
  const std::string title = "\x1b]2;\xc5\x9c\xc5\x9b\x07";
  check_every_split(title, title);
  // overlong forms are no characters and hide nothing: E0 80 9B is not a character, 9B a CSI
  CHECK(through("\xe0\x80\x9b" "21tz") == "\xe0\x1b@z");
  CHECK(through("\xc0\x9b" "21tz") == "\xc0z");
  // past U+10FFFF (F4 90..) and surrogates (ED A0..) are no characters either: 90 is a DCS there
  check_every_split("a\xf4\x90$qm\x9c" "b", "a\xf4" "b");
  check_every_split("a\xed\xa0", "a\xed\xa0");
  CHECK(through("\xf4\x8f\xbf\xbf") == "\xf4\x8f\xbf\xbf");  // U+10FFFF itself is one
}

TEST_CASE("terminal filter: DECRQCRA (a checksum of the host's screen) is dropped; other CSI y pass") {
  check_every_split("a\x1b[1;1;1;1;24;80*yb", "ab");
  CHECK(through("\x1b[2;1y") == "\x1b[2;1y");
}

TEST_CASE("terminal filter: an unterminated or overlong sequence is dropped, never passed in part") {
  const std::string long_title = "\x1b]2;" + std::string(TerminalFilter::kMaxSequence, 'x') + "\x07";
  CHECK(through("a" + long_title + "b") == "ab");
  const std::string long_csi = "\x1b[" + std::string(1000, '1') + "m";
  CHECK(through("a" + long_csi + "b") == "ab");
  CHECK(through("a\x1b]52;c;" + std::string(100000, 'A')) == "a");  // never terminated: nothing after it
  CHECK(through_chunks({"a\x1b]0;half", " a title"}) == "a");               // held until its end, which never came
  CHECK(through("a\x1b[31\x18" "b") == "ab");                           // CAN cancels
  CHECK(through("a\x1b]0;t\x1b[31mb") == "a\x1b[31mb");                 // ESC abandons the OSC
}

TEST_CASE("terminal filter: controls inside a CSI take effect, the CSI stays whole") {
  CHECK(through("\x1b[3\r1m") == "\r\x1b[31m");
  check_every_split("x\x1b[1;3\n1my", "x\n\x1b[1;31my");
}

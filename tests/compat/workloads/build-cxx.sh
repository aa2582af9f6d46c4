#!/bin/bash
# g++ -std=c++20: templates, the standard library's threads, filesystem and chrono, exceptions.
. "$(dirname "$0")/lib.sh"
step "write source"
cat > t.cc <<'C'
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <numeric>
#include <stdexcept>
#include <thread>
#include <vector>
namespace fs = std::filesystem;
int main() {
  std::vector<std::future<long>> parts;
  for (int i = 0; i < 4; i++)
    parts.push_back(std::async(std::launch::async, [i] { long s = 0; for (long k = 0; k < 100000; k++) s += k % (i + 2); return s; }));
  long total = 0;
  for (auto &p : parts) total += p.get();
  fs::create_directories("d/e");
  std::ofstream("d/e/f.txt") << total;
  long back = 0;
  std::ifstream("d/e/f.txt") >> back;
  try { throw std::runtime_error("x"); } catch (const std::exception &) {}
  std::cout << (back == total ? "same" : "different") << ' ' << fs::file_size("d/e/f.txt") << '\n';
  return back == total ? 0 : 1;
}
C
step "g++ -std=c++20 -O2"
g++ -std=c++20 -O2 -Wall -Werror -o t t.cc -pthread
step "run"
./t | grep -q '^same ' || fail "the program failed"
echo "ok: g++ built and ran a threaded C++20 program"

// neardup: command-line client of neardupd. All logic is in cli.cc.

#include <iostream>
#include <string>
#include <vector>

#include "client/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return neardup::client::RunCli(args, std::cout, std::cerr);
}

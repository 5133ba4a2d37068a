#pragma once

namespace xbuild::plugin {
// The whole program; plugin/main.cpp only calls this.
int main(int argc, char** argv);
} // namespace xbuild::plugin

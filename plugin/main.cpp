#include "plugin/app.hpp"

int main(int argc, char** argv) { return xbuild::plugin::main(argc, argv); }

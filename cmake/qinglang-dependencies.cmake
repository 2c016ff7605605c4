# What the Qinglang libraries link, found in the same way when Qinglang is built and when an installed
# Qinglang is used (qinglangConfig.cmake): the libraries are static by default, so a program that links them
# links these too.
find_package(PkgConfig REQUIRED)
# Hyperscan ships only a pkg-config file; vectorscan installs the same one, so either works. The runtime links
# all of libhs too, not libhs_runtime: a process that loads both (any program that also compiles rules) has
# their shared IFUNC symbols bound across the two libraries, which the dynamic linker warns about.
pkg_check_modules(HS REQUIRED IMPORTED_TARGET libhs)
# RE2 tests `matches` conditions and captures `extract:` values in one field, which Hyperscan cannot.
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
# fastText reads, trains and quantizes the models of `model:` patterns (docs/models.md).
pkg_check_modules(FASTTEXT REQUIRED IMPORTED_TARGET fasttext)
find_package(simdjson REQUIRED)
find_package(yaml-cpp REQUIRED)

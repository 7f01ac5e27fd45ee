# Turns a file into a C++ source defining `extern const std::string_view SYMBOL`.
file(READ ${INPUT} HEX HEX)
string(LENGTH "${HEX}" HEXLEN)
math(EXPR LEN "${HEXLEN} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," BYTES "${HEX}")
file(WRITE ${OUTPUT} "// Generated from ${INPUT} by cmake/embed.cmake; do not edit.\n#include <string_view>\nnamespace limpide::embedded {\nstatic const unsigned char kBytes[] = {${BYTES} 0};\nextern const std::string_view ${SYMBOL};\nconst std::string_view ${SYMBOL}(reinterpret_cast<const char*>(kBytes), ${LEN});\n}\n")

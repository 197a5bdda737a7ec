# Every namix target links namix_warnings; third-party headers come from
# /usr/include and are system headers, so their warnings stay out.
add_library(namix_warnings INTERFACE)
target_compile_options(namix_warnings INTERFACE -Wall -Wextra -Wpedantic -Wconversion -Wshadow)
if(NAMIX_WERROR)
  target_compile_options(namix_warnings INTERFACE -Werror)
endif()

if(NAMIX_SANITIZE)
  string(REPLACE ";" "," _namix_san "${NAMIX_SANITIZE}")
  add_compile_options(-fsanitize=${_namix_san} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${_namix_san})
endif()

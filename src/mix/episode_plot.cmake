# The episode picture (SVG) for `namix analyze --plot`; a library of its own so
# it needs only the analysis and edit-list headers, not the whole mix stage.
add_library(namix_episode_plot STATIC ${CMAKE_CURRENT_LIST_DIR}/episode_plot.cc)
target_include_directories(namix_episode_plot PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(namix_episode_plot PUBLIC namix_analysis namix_core PRIVATE namix_warnings)

namix_add_test(NAME episode_plot_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/episode_plot_test.cc
               LIBS namix_episode_plot)

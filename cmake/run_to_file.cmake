# cmake -DPROGRAM=P "-DARGS=a;b" -DOUTPUT=F -P run_to_file.cmake: runs P with
# ARGS and writes what it prints to F, failing the build when P fails (no
# shell redirection, which CMake's generators do not all pass on).
execute_process(COMMAND ${PROGRAM} ${ARGS} OUTPUT_FILE ${OUTPUT}.tmp RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  file(REMOVE ${OUTPUT}.tmp)
  message(FATAL_ERROR "${PROGRAM} ${ARGS} failed: ${result}")
endif()
file(RENAME ${OUTPUT}.tmp ${OUTPUT})

# ctest driver: configure and build the consumer project in a scratch directory, then run it on
# both backends (the lecture scenarios, then an echo server with its clients). Arguments: -DSRC=<consumer dir> -DRUNTIME=<runtime dir> -DBIN=<scratch dir>.
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SRC} -B ${BIN} -DAIO_RUNTIME_DIR=${RUNTIME}
                        -DCMAKE_BUILD_TYPE=Release
                RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "configuring the consumer project failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BIN} -j 2 RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "building the consumer project failed")
endif()
foreach(program lectures echo)
  foreach(backend epoll io_uring)
    execute_process(COMMAND ${BIN}/${program} ${backend} RESULT_VARIABLE rc)
    if(rc EQUAL 77)
      message(STATUS "consumer: ${backend} not available here, ${program} skipped")
    elseif(rc)
      message(FATAL_ERROR "consumer ${program} on ${backend} failed (exit ${rc})")
    endif()
  endforeach()
endforeach()

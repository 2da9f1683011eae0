// Only a header: the Arrow C interfaces and libTapeArrow entry points (include/arrow_c_abi.h).

// Umbrella header for zlib (inflate for .gz data files, deflate for PNG export).
#ifndef GTN_CZLIB_SHIM_H
#define GTN_CZLIB_SHIM_H
#include <zlib.h>
#endif

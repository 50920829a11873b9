// Umbrella header for libpng (PNG decoding for image-folder datasets). Only
// libpng's simplified API (png_image_*) is used: it reports errors through
// png_image.message instead of longjmp, so it is safe to call from Swift.
#ifndef GTN_CPNG_SHIM_H
#define GTN_CPNG_SHIM_H
#include <png.h>
#endif

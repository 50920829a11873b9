// Umbrella header for OpenBLAS's CBLAS interface and its runtime controls.
// The guard is deliberately not CBLAS_H, which OpenBLAS's own cblas.h uses.
#ifndef GTN_CBLAS_SHIM_H
#define GTN_CBLAS_SHIM_H
#include <cblas.h>
#endif

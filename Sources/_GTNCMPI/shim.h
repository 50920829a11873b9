// Open MPI's C interface for Swift. Open MPI defines MPI_COMM_WORLD, MPI_FLOAT,
// MPI_SUM, … as macros over the addresses of global objects, which Swift cannot
// import; the static inline accessors below return them as values.
// The guard is deliberately not OMPI_MPI_H / MPI_H, which mpi.h uses.
#ifndef GTN_MPI_SHIM_H
#define GTN_MPI_SHIM_H
#include <mpi.h>

static inline MPI_Comm gtn_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Comm gtn_mpi_comm_null(void) { return MPI_COMM_NULL; }
static inline MPI_Datatype gtn_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype gtn_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype gtn_mpi_uint64(void) { return MPI_UINT64_T; }
static inline MPI_Datatype gtn_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype gtn_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Op gtn_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op gtn_mpi_max(void) { return MPI_MAX; }
static inline void *gtn_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline int gtn_mpi_any_source(void) { return MPI_ANY_SOURCE; }
static inline int gtn_mpi_any_tag(void) { return MPI_ANY_TAG; }
static inline int gtn_mpi_thread_serialized(void) { return MPI_THREAD_SERIALIZED; }
static inline int gtn_mpi_success(void) { return MPI_SUCCESS; }
static inline MPI_Status *gtn_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline int gtn_mpi_status_source(const MPI_Status *status) { return status->MPI_SOURCE; }
static inline int gtn_mpi_status_tag(const MPI_Status *status) { return status->MPI_TAG; }

#endif

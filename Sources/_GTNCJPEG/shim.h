// libjpeg (JPEG decoding for image-folder datasets) behind two small helpers.
//
// libjpeg reports errors by calling error_exit, which must not return; the
// helpers below install one that longjmps back to them, so an error becomes
// a return value with a message and never unwinds through Swift frames.
#ifndef GTN_CJPEG_SHIM_H
#define GTN_CJPEG_SHIM_H
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

struct gtn_jpeg_error {
  struct jpeg_error_mgr manager;
  jmp_buf jump;
  char *message;
  size_t message_size;
};

static void gtn_jpeg_error_exit(j_common_ptr info) {
  struct gtn_jpeg_error *error = (struct gtn_jpeg_error *)info->err;
  char buffer[JMSG_LENGTH_MAX];
  (*info->err->format_message)(info, buffer);
  if (error->message && error->message_size > 0) {
    strncpy(error->message, buffer, error->message_size - 1);
    error->message[error->message_size - 1] = 0;
  }
  longjmp(error->jump, 1);
}

static void gtn_jpeg_silent(j_common_ptr info, int level) { (void)info; (void)level; }

/// Sets up `error` to turn libjpeg's errors into a longjmp carrying the
/// message (into `message`, at most `message_size` bytes) and to keep its
/// warnings quiet; the result goes in the codec's `err`.
static struct jpeg_error_mgr *gtn_jpeg_errors(struct gtn_jpeg_error *error, char *message, size_t message_size) {
  struct jpeg_error_mgr *manager = jpeg_std_error(&error->manager);
  manager->error_exit = gtn_jpeg_error_exit;
  manager->emit_message = gtn_jpeg_silent;
  error->message = message;
  error->message_size = message_size;
  return manager;
}

/// Decodes a JPEG to 8-bit grey (1 channel) or RGB (3), rows top to bottom.
/// On success returns 0 and sets *pixels (malloc'd; free it), *width,
/// *height and *channels. Refuses images of more than max_bytes decoded
/// bytes (returns 2). On a libjpeg error returns 1 with the message.
static inline int gtn_jpeg_decode(const unsigned char *data, unsigned long size, size_t max_bytes,
                                  unsigned char **pixels, int *width, int *height, int *channels,
                                  char *message, size_t message_size) {
  struct jpeg_decompress_struct info;
  struct gtn_jpeg_error error;
  unsigned char *volatile output = NULL;
  *pixels = NULL;
  info.err = gtn_jpeg_errors(&error, message, message_size);
  if (setjmp(error.jump)) {
    jpeg_destroy_decompress(&info);
    free(output);
    return 1;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, data, size);
  jpeg_read_header(&info, TRUE);
  if (info.num_components == 1) {
    info.out_color_space = JCS_GRAYSCALE;
  } else {
    info.out_color_space = JCS_RGB;
  }
  jpeg_calc_output_dimensions(&info);
  size_t bytes = (size_t)info.output_width * info.output_height * (size_t)info.output_components;
  if (info.output_width == 0 || info.output_height == 0 || bytes > max_bytes) {
    *width = (int)info.output_width;
    *height = (int)info.output_height;
    *channels = info.output_components;
    jpeg_destroy_decompress(&info);
    return 2;
  }
  jpeg_start_decompress(&info);
  size_t stride = (size_t)info.output_width * info.output_components;
  output = (unsigned char *)malloc(bytes);
  if (!output) {
    jpeg_destroy_decompress(&info);
    return 2;
  }
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = output + (size_t)info.output_scanline * stride;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  *width = (int)info.output_width;
  *height = (int)info.output_height;
  *channels = info.output_components;
  jpeg_destroy_decompress(&info);
  *pixels = output;
  return 0;
}

/// Encodes 8-bit grey (channels 1) or RGB (3) pixels as a baseline JPEG.
/// On success returns 0 and sets *jpeg (malloc'd; free it) and *jpeg_size.
static inline int gtn_jpeg_encode(const unsigned char *pixels, int width, int height, int channels, int quality,
                                  unsigned char **jpeg, unsigned long *jpeg_size, char *message, size_t message_size) {
  struct jpeg_compress_struct info;
  struct gtn_jpeg_error error;
  *jpeg = NULL;
  *jpeg_size = 0;
  info.err = gtn_jpeg_errors(&error, message, message_size);
  if (setjmp(error.jump)) {
    jpeg_destroy_compress(&info);
    free(*jpeg);
    *jpeg = NULL;
    return 1;
  }
  jpeg_create_compress(&info);
  jpeg_mem_dest(&info, jpeg, jpeg_size);
  info.image_width = (JDIMENSION)width;
  info.image_height = (JDIMENSION)height;
  info.input_components = channels;
  info.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, quality, TRUE);
  jpeg_start_compress(&info, TRUE);
  while (info.next_scanline < info.image_height) {
    JSAMPROW row = (JSAMPROW)(pixels + (size_t)info.next_scanline * (size_t)width * channels);
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  jpeg_destroy_compress(&info);
  return 0;
}
#endif

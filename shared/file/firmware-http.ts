/**
 * Plain-HTTP firmware downloads, for chargers that cannot do HTTPS (docs/files.md). A CloudFront distribution in
 * front of the file endpoint accepts `http://` for GET and HEAD of `/firmware/<token>/<name>`; its viewer-request
 * function passes the viewer's Host on as FIRMWARE_HTTP_HOST_HEADER. The file endpoint checks the token as for an
 * HTTPS download and, seeing the header, redirects to a CloudFront signed URL of the image on that same host, which
 * the distribution serves from the files bucket (origin access control) only with a valid signature.
 */

/** Set by the distribution's viewer-request function from the viewer's Host; the origin never sees the Host itself. */
export const FIRMWARE_HTTP_HOST_HEADER = 'x-firmware-http-host';

/**
 * The distribution's behaviour for the images themselves: an image's key is `firmware/<file id, a UUID>/<name>`,
 * while a download token (43 characters) never fills the 36 characters before the slash.
 */
export const FIRMWARE_IMAGE_PATH_PATTERN = '/firmware/????????-????-????-????-????????????/*';

package dev.iucore.pipeline.delivery;

import java.util.regex.Pattern;

/**
 * A target URI as it may be shown (route listings, attempt errors): the values of query parameters
 * that look like credentials are masked. Credentials in the authority ({@code user:pass@}) are
 * refused when a route is written (V036); they are masked here too, for rows older than that check.
 */
public final class TargetUriMask {

    private static final Pattern USER_INFO = Pattern.compile("(?<=://)[^/?#@]*@");
    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            "(?i)([?&](?:[a-z0-9_-]*(?:token|secret|password|passwd|pwd|key|sig|signature|auth|credential)[a-z0-9_-]*)=)[^&#]*");

    private TargetUriMask() {
    }

    public static String masked(String uri) {
        if (uri == null) {
            return null;
        }
        String withoutUser = USER_INFO.matcher(uri).replaceFirst("***@");
        return SECRET_PARAMETER.matcher(withoutUser).replaceAll("$1***");
    }
}

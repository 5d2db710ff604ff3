package dev.iucore.pipeline.scaleout;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A template version as the command line and the properties name it: {@code tpl:wf:onboarding/v2}. */
public record TemplateVersion(String templateId, int version) {

    private static final Pattern FORM = Pattern.compile("(tpl:[a-z]+:[a-z0-9-]+)/v([1-9][0-9]{0,8})");

    /** @throws IllegalArgumentException naming the text and the expected form */
    public static TemplateVersion parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a template version: expected <template>/v<N>, "
                    + "e.g. tpl:file:status-report/v1");
        }
        return new TemplateVersion(m.group(1), Integer.parseInt(m.group(2)));
    }

    /** A comma list (blanks around items ignored); empty text gives an empty list. */
    public static List<TemplateVersion> parseList(String commaList) {
        List<TemplateVersion> versions = new ArrayList<>();
        for (String item : commaList.split(",")) {
            if (!item.isBlank()) {
                versions.add(parse(item));
            }
        }
        return versions;
    }

    @Override
    public String toString() {
        return templateId + "/v" + version;
    }
}

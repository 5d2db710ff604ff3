package dev.iucore.pipeline.config;

import org.apache.camel.component.properties.PropertiesComponent;

/**
 * Camel's placeholders fall back to environment variables and system properties by default, so
 * {@code {{iu.db.owner-password}}} would find {@code IU_DB_OWNER_PASSWORD} although the password is
 * no Camel property ({@link Settings#camelProperties()}). Every Camel context of ours resolves
 * placeholders from the configuration it is handed, and from nothing else.
 */
public final class CamelPlaceholders {

    private CamelPlaceholders() {
    }

    public static void onlyFromConfiguration(org.apache.camel.spi.PropertiesComponent properties) {
        if (properties instanceof PropertiesComponent component) {
            component.setEnvironmentVariableMode(PropertiesComponent.ENVIRONMENT_VARIABLES_MODE_NEVER);
            component.setSystemPropertiesMode(PropertiesComponent.SYSTEM_PROPERTIES_MODE_NEVER);
        }
    }
}

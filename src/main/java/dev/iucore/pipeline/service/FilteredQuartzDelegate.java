package dev.iucore.pipeline.service;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.quartz.impl.jdbcjobstore.PostgreSQLDelegate;

/**
 * Quartz's PostgreSQL delegate, deserializing its blobs (job data, calendars) only into the
 * classes Quartz and Camel store there. The runtime role, which Quartz runs as, can write the
 * {@code qrtz_*} tables: without a filter, a row written by anyone holding that role would have the
 * scheduler deserialize any class on the classpath, the classic way into a Java process.
 */
public class FilteredQuartzDelegate extends PostgreSQLDelegate {

    static final ObjectInputFilter FILTER = ObjectInputFilter.Config.createFilter(
            "maxdepth=20;maxrefs=10000;maxbytes=1000000;java.lang.*;java.util.*;org.quartz.**;!*");

    @Override
    protected Object getObjectFromBlob(ResultSet rs, String colName)
            throws ClassNotFoundException, IOException, SQLException {
        byte[] bytes = rs.getBytes(colName);
        if (bytes == null || bytes.length == 0) {
            return null;
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            in.setObjectInputFilter(FILTER);
            return in.readObject();
        }
    }
}

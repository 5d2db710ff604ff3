-- A kafka route may publish to a cluster of its own (issue 14 item 2): kafka_cluster names one of the
-- clusters the service is configured with (iu.kafka.clusters.<name>.*); NULL is the default cluster
-- (iu.kafka.brokers). Only a name is stored, never an address or a credential: which clusters exist
-- is the service's configuration, so a name no node knows is found at send time, where the attempt
-- says so and the delivery is retried, then dead-lettered, never lost. The name's form is the one an
-- environment variable can carry (IU_KAFKA_CLUSTERS_<NAME>_BOOTSTRAP_SERVERS): lower case, digits, _.
ALTER TABLE iu_outbound_route ADD COLUMN kafka_cluster text;

ALTER TABLE iu_outbound_route ADD CONSTRAINT iu_outbound_route_kafka_cluster_name
    CHECK (kafka_cluster ~ '^[a-z][a-z0-9_]{0,62}$');

-- a cluster on an http or log route would be silently ignored: refused instead
ALTER TABLE iu_outbound_route ADD CONSTRAINT iu_outbound_route_kafka_cluster_only_for_kafka
    CHECK (kafka_cluster IS NULL OR target_uri ~* '^\s*kafka:');

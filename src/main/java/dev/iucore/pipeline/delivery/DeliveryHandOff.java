package dev.iucore.pipeline.delivery;

import java.util.Optional;

/**
 * What a dispatch batch asks of this process's delivery workers ({@link DeliveryClaimer}): free slots
 * for the deliveries it creates, leased to them at once, and a claim for those it leaves.
 */
public interface DeliveryHandOff {

    /** No workers here (the boundary probe's dispatcher): every delivery is left for a claim, and none is asked. */
    DeliveryHandOff NONE = new DeliveryHandOff() {
        @Override
        public Optional<DeliveryClaimer.HandOver> handOver() {
            return Optional.empty();
        }

        @Override
        public void leftForClaim() {
            // no claimer to wake
        }
    };

    /** This process's free slots for a batch's new deliveries, held until closed; empty: none is leased here. */
    Optional<DeliveryClaimer.HandOver> handOver();

    /** Told once a batch that left new deliveries for a claim committed. */
    void leftForClaim();
}

"""The network above territories: coordinators, side-by-side views, the practices library, seminars."""

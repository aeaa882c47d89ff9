"""Appointments for the on-site visit: slots published per kiosk (`slots`), a case booked into a slot with
rescheduling, cancellation, arrival and no-show recorded (`booking`), the day view of arrivals with what each must
bring (`dayview`), and the applicant's calendar file (`ics`)."""

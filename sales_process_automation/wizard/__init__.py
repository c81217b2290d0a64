from . import sales_process_assignment_test
